package dev.sharpness.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KUBERNETES_MODEL = "io.fabric8.kubernetes.api.model";

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
     * {@code kubectl explain} prints a node's description; an object without one is explained by
     * nothing. Every object of the schema is described: the resource itself, {@code spec}, {@code
     * status} and every section below them. A list's or map's elements are described by it, and
     * Kubernetes' own types (conditions, env, tolerations) are left as Kubernetes defines them.
     */
    @Test
    void everyObjectInTheCommittedSchemaHasADescription() throws IOException {
        List<String> undescribed = new ArrayList<>();

        collectUndescribedObjects(
                committedSchema(),
                JSON.constructType(SamTrainingJob.class),
                "samtrainingjob",
                false,
                undescribed);

        assertThat(undescribed).as("objects without a description").isEmpty();
    }

    @Test
    void printerColumnsReadFieldsOfTheirType() throws IOException {
        JsonNode schema = committedSchema();

        for (JsonNode column :
                YAML.readTree(COMMITTED.toFile()).at("/spec/versions/0/additionalPrinterColumns")) {
            String path = column.path("jsonPath").asText();
            if (path.startsWith(".metadata.")) {
                continue;
            }
            JsonNode field = schema;
            for (String name : path.substring(1).split("\\.")) {
                field = field.path("properties").path(name);
            }
            assertThat(field.path("type").asText())
                    .as("type of %s, shown as column %s", path, column.path("name").asText())
                    .isEqualTo(column.path("type").asText());
        }
    }

    private static JsonNode committedSchema() throws IOException {
        return YAML.readTree(COMMITTED.toFile()).at("/spec/versions/0/schema/openAPIV3Schema");
    }

    /**
     * Walks the schema beside the Java type it was generated from, so that Kubernetes' own types
     * can be told apart from this API's.
     */
    private static void collectUndescribedObjects(
            JsonNode node,
            JavaType type,
            String path,
            boolean describedByHolder,
            List<String> undescribed) {
        if (type != null && type.getRawClass().getPackageName().startsWith(KUBERNETES_MODEL)) {
            return;
        }
        if (!describedByHolder
                && "object".equals(node.path("type").asText())
                && node.path("description").asText().isBlank()) {
            undescribed.add(path);
        }
        JavaType elementType = type == null ? null : type.getContentType();
        if (node.has("items")) {
            collectUndescribedObjects(
                    node.get("items"), elementType, path + "[]", true, undescribed);
        }
        if (node.path("additionalProperties").isObject()) {
            collectUndescribedObjects(
                    node.get("additionalProperties"), elementType, path + "{}", true, undescribed);
        }
        Map<String, JavaType> propertyTypes = new HashMap<>();
        if (type != null) {
            for (BeanPropertyDefinition property :
                    JSON.getSerializationConfig().introspect(type).findProperties()) {
                propertyTypes.put(property.getName(), property.getPrimaryType());
            }
        }
        node.path("properties")
                .fields()
                .forEachRemaining(
                        property ->
                                collectUndescribedObjects(
                                        property.getValue(),
                                        propertyTypes.get(property.getKey()),
                                        path + "." + property.getKey(),
                                        false,
                                        undescribed));
    }

    /**
     * Runs fabric8's CRD generator over {@link SamTrainingJob} and returns the YAML. The generator
     * sorts printer columns by name; kubectl shows them in the order of the CRD, so they are put
     * back in the order of the annotations (phase first, age last). It leaves the root without a
     * description, which comes from the class's {@link JsonClassDescription}.
     */
    static String generate(Path output) throws IOException {
        new CRDGenerator()
                .withPostProcessor(
                        new CRDPostProcessor() {
                            @Override
                            public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                                return describeRoot(orderPrinterColumns(crd));
                            }
                        })
                .customResourceClasses(SamTrainingJob.class)
                .forCRDVersions("v1")
                .inOutputDir(output.toFile())
                .generate();
        return Files.readString(
                output.resolve(Constants.PLURAL + "." + Constants.GROUP + "-v1.yml"));
    }

    /**
     * The generator (7.6) describes properties only, not the resource: the root's description,
     * which {@code kubectl explain samtrainingjob} prints, comes from {@link SamTrainingJob}'s
     * {@link JsonClassDescription}.
     */
    private static HasMetadata describeRoot(HasMetadata crd) {
        String description = SamTrainingJob.class.getAnnotation(JsonClassDescription.class).value();
        for (CustomResourceDefinitionVersion version :
                ((CustomResourceDefinition) crd).getSpec().getVersions()) {
            JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
            if (root.getDescription() == null) {
                root.setDescription(description);
            }
        }
        return crd;
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
