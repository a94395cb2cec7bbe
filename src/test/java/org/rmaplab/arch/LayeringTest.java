package org.rmaplab.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of the layout (docs/model.md, "Layout"): the core (org.rmaplab.mm) &lt;- the
 * designs (org.rmaplab.rmap.*) &lt;- the registry (org.rmaplab.rmap) &lt;- everything else, and no
 * cycle among any of the packages. Main classes only: tests may reach across.
 */
class LayeringTest {
    static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("org.rmaplab");
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.rmaplab.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void theCoreKnowsNoDesignAndNothingAboveIt() {
        noClasses().that().resideInAPackage("org.rmaplab.mm..")
                .should().dependOnClassesThat().resideOutsideOfPackages("org.rmaplab.mm..", "java..", "org.HdrHistogram..")
                .check(main);
    }

    @Test
    void designsSeeOnlyTheCore() {
        noClasses().that().resideInAPackage("org.rmaplab.rmap.*..")
                .should().dependOnClassesThat()
                .resideOutsideOfPackages("org.rmaplab.mm..", "org.rmaplab.rmap.*..", "java..")
                .check(main);
    }

    @Test
    void aDesignSeesNoOtherDesign() {
        for (String d : new String[] {"ptechains", "anonmm", "anonvma", "avc", "lokier"}) {
            noClasses().that().resideInAPackage("org.rmaplab.rmap." + d + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(
                            java.util.Arrays.stream(new String[] {"ptechains", "anonmm", "anonvma", "avc", "lokier"})                                    .filter(o -> !o.equals(d)).map(o -> "org.rmaplab.rmap." + o + "..")
                                    .toArray(String[]::new))
                    .check(main);
        }
    }

    @Test
    void designsSeeTheHostNotTheMachine() {
        noClasses().that().resideInAPackage("org.rmaplab.rmap..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.rmaplab.mm.Machine")
                .check(main);
    }

    @Test
    void theRegistrySeesOnlyCoreAndDesigns() {
        noClasses().that().resideInAPackage("org.rmaplab.rmap")
                .should().dependOnClassesThat()
                .resideOutsideOfPackages("org.rmaplab.mm..", "org.rmaplab.rmap..", "java..")
                .check(main);
    }
}
