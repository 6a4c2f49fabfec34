package org.hsmkms;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of docs/architecture.md: dependencies point one way (api -> kms -> {hsm, store,
 * crypto}), each library is known to the one room that needs it, and the HSM is seen through its
 * role interfaces only.
 */
class ArchitectureTest {
  /** The composition root: the application and its commands, which wire every room. */
  private static final String[] COMPOSITION_ROOT = {"org.hsmkms", "org.hsmkms.cli.."};

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hsmkms");

  @Test
  void onlyThePkcs11AdapterKnowsTheWrapper() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hsmkms.hsm.pkcs11..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.xipki..", "iaik..")
        .check(CLASSES);
  }

  @Test
  void onlyTheStoreKnowsJdbc() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hsmkms.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "org.sqlite..", "org.postgresql..", "com.zaxxer..")
        .check(CLASSES);
  }

  @Test
  void lowerLayersDoNotReachUp() {
    noClasses()
        .that()
        .resideInAnyPackage("org.hsmkms.hsm..", "org.hsmkms.store..", "org.hsmkms.crypto..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.hsmkms.kms..", "org.hsmkms.api..", "org.hsmkms.auth..")
        .check(CLASSES);
    noClasses()
        .that()
        .resideInAPackage("org.hsmkms.kms..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.hsmkms.api..")
        .check(CLASSES);
  }

  @Test
  void onlyTheApiAndTheCompositionRootKnowVertx() {
    noClasses()
        .that()
        .resideOutsideOfPackages(withRoot("org.hsmkms.api.."))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.vertx..")
        .check(CLASSES);
  }

  @Test
  void onlyMonitoringKnowsMicrometer() {
    // The other rooms hand monitoring numbers (role interfaces, suppliers) and never see a meter.
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hsmkms.monitoring..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..", "io.prometheus..")
        .check(CLASSES);
  }

  @Test
  void theApiDoesNotReachTheStore() {
    // The API sees the service's own value types (KeyListEntry, AliasListEntry), not store rows.
    noClasses()
        .that()
        .resideInAPackage("org.hsmkms.api..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.hsmkms.store..")
        .check(CLASSES);
  }

  @Test
  void onlyTheApiTheConfigurationAndThePolicyParserKnowJackson() {
    noClasses()
        .that()
        .resideOutsideOfPackages("org.hsmkms.api..", "org.hsmkms.config..", "org.hsmkms.authz..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.fasterxml..")
        .check(CLASSES);
  }

  @Test
  void theServiceSeesTheHsmThroughItsRoleInterfaces_onlyTheCompositionRootOpensPkcs11() {
    noClasses()
        .that()
        .resideOutsideOfPackages(withRoot("org.hsmkms.hsm.pkcs11.."))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.hsmkms.hsm.pkcs11..")
        .check(CLASSES);
  }

  @Test
  void noServiceClassUsesTheTestDiagnostics() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hsmkms.hsm.pkcs11..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.hsmkms.hsm.pkcs11.Pkcs11Diagnostics")
        .check(CLASSES);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("org.hsmkms.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void authenticationDoesNotKnowTheKmsServices() {
    // The authenticator refuses with its own AuthenticationException; the API maps it to ErrorCode.
    noClasses()
        .that()
        .resideInAPackage("org.hsmkms.auth..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.hsmkms.kms..")
        .check(CLASSES);
  }

  @Test
  void authorizationIsPureCode_itKnowsNoOtherRoomOfTheService() {
    // Policies are parsed, compiled and evaluated without I/O: no store, HSM, API or audit trail.
    noClasses()
        .that()
        .resideInAPackage("org.hsmkms.authz..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.hsmkms.kms..",
            "org.hsmkms.store..",
            "org.hsmkms.hsm..",
            "org.hsmkms.api..",
            "org.hsmkms.auth..",
            "org.hsmkms.audit..",
            "org.hsmkms.crypto..",
            "org.hsmkms.config..",
            "org.hsmkms.cli..",
            "io.vertx..",
            "java.sql..",
            "java.io..",
            "java.nio..",
            "java.net..")
        .check(CLASSES);
  }

  private static String[] withRoot(String... packages) {
    String[] all = Arrays.copyOf(COMPOSITION_ROOT, COMPOSITION_ROOT.length + packages.length);
    System.arraycopy(packages, 0, all, COMPOSITION_ROOT.length, packages.length);
    return all;
  }
}
