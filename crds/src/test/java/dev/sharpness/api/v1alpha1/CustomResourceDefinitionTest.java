package dev.sharpness.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD users apply is generated from the Java types and committed; this test fails when the two
 * drift. After an intended API change, rewrite the committed file with {@code ./mvnw -pl crds test
 * -Dtest=CustomResourceDefinitionTest -Dcrd.update=true} and review the diff.
 */
class CustomResourceDefinitionTest {
    /** Relative to the module's folder, where Maven runs the tests. */
    static final Path COMMITTED = Path.of("samtrainingjobs.sharpness.dev-v1.yml");

    @Test
    void committedCrdEqualsTheOneGeneratedFromTheJavaTypes(@TempDir Path output)
            throws IOException {
        String generated = generate(output);
        if (Boolean.getBoolean("crd.update")) {
            Files.writeString(COMMITTED, generated);
        }
        assertThat(COMMITTED).exists();
        assertThat(Files.readString(COMMITTED))
                .as(
                        "%s is older than the Java types: regenerate it with -Dcrd.update=true"
                                + " (see this test's Javadoc)",
                        COMMITTED)
                .isEqualTo(generated);
    }

    /**
     * Runs fabric8's CRD generator over {@link SamTrainingJob} and returns the YAML. The generator
     * sorts printer columns by name; kubectl shows them in the order of the CRD, so they are put
     * back in the order of the annotations (phase first, age last).
     */
    static String generate(Path output) throws IOException {
        new CRDGenerator()
                .withPostProcessor(
                        new CRDPostProcessor() {
                            @Override
                            public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                                return orderPrinterColumns(crd);
                            }
                        })
                .customResourceClasses(SamTrainingJob.class)
                .forCRDVersions("v1")
                .inOutputDir(output.toFile())
                .generate();
        return Files.readString(
                output.resolve(Constants.PLURAL + "." + Constants.GROUP + "-v1.yml"));
    }

    private static HasMetadata orderPrinterColumns(HasMetadata crd) {
        List<String> declared =
                Arrays.stream(
                                SamTrainingJob.class.getAnnotationsByType(
                                        AdditionalPrinterColumn.class))
                        .map(AdditionalPrinterColumn::name)
                        .toList();
        for (CustomResourceDefinitionVersion version :
                ((CustomResourceDefinition) crd).getSpec().getVersions()) {
            version.getAdditionalPrinterColumns()
                    .sort(Comparator.comparingInt(column -> declared.indexOf(column.getName())));
        }
        return crd;
    }
}
