package org.hsmkms.bench;

import static com.tngtech.archunit.base.DescribedPredicate.or;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.hsmkms.DevCredentials;
import org.hsmkms.api.HttpListeners;
import org.hsmkms.api.ModelValidator;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.audit.ChainKeys;
import org.hsmkms.audit.FileAuditTrail;
import org.hsmkms.auth.Credential;
import org.hsmkms.auth.SigV4Authenticator;
import org.hsmkms.auth.SigV4Signer;
import org.hsmkms.auth.SignedRequest;
import org.hsmkms.cli.DevDataDir;
import org.hsmkms.cli.Main;
import org.hsmkms.cli.Startup;
import org.hsmkms.crypto.CiphertextBlob;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.kms.KeySpec;
import org.junit.jupiter.api.Test;

/**
 * The bench uses the service only through its public face: what a client or an operator's tool of
 * the service would use (configuration, opening the token and the HSM's role interfaces, the SigV4
 * signer, the HTTP listeners, the blob format, the dev credentials file, the command line whose
 * {@code credentials} command {@code --policies} runs, the policy language, and the public classes
 * of the steps every request takes that the in-process measurements time: SigV4 verification, the
 * API model's check, the audit trail), never its internals (the KMS services, the store, the API's
 * handlers).
 */
class BenchArchitectureTest {
  private static final JavaClasses BENCH =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hsmkms.bench");

  @Test
  void theBenchUsesTheServiceOnlyThroughItsPublicFace() {
    classes()
        .that()
        .resideInAPackage("org.hsmkms.bench..")
        .should()
        .onlyDependOnClassesThat(
            or(
                resideOutsideOfPackage("org.hsmkms.."),
                resideInAPackage("org.hsmkms.bench.."),
                // the configuration, the HSM's role interfaces and value types, and the policy
                // language (pure, no state: AuthorizationCost measures one decision with it)
                resideInAnyPackage("org.hsmkms.config..", "org.hsmkms.hsm", "org.hsmkms.authz"),
                belongToAnyOf(
                    Pkcs11Hsm.class,
                    Startup.class,
                    DevDataDir.class,
                    DevCredentials.class,
                    Main.class,
                    SigV4Signer.class,
                    HttpListeners.class,
                    CiphertextBlob.class,
                    EncryptionContext.class,
                    KeySpec.class,
                    // The steps every request takes, measured alone and in-process by
                    // MandatoryCost and AuditWriteRate: SigV4 verification, the API model's check
                    // and the audit trail.
                    SigV4Authenticator.class,
                    Credential.class,
                    SignedRequest.class,
                    ModelValidator.class,
                    FileAuditTrail.class,
                    AuditRecord.class,
                    ChainKeys.class)))
        .check(BENCH);
  }
}
