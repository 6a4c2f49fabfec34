package org.hsmkms;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps dependencies pointing one way: api -> kms -> {hsm, store, crypto}. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hsmkms");

  @Test
  void onlyTheApiKnowsVertxAndJackson() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "org.hsmkms.kms..",
            "org.hsmkms.hsm..",
            "org.hsmkms.store..",
            "org.hsmkms.crypto..",
            "org.hsmkms.auth..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx..", "com.fasterxml..")
        .check(CLASSES);
  }

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
        .resideInAnyPackage("java.sql..", "org.sqlite..")
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
}
