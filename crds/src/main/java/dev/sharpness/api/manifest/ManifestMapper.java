package dev.sharpness.api.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The one YAML mapper manifests are read and written with. Strict as the API server is: unknown
 * fields and values of the wrong type are errors, nothing is coerced.
 */
final class ManifestMapper {
    static final YAMLMapper MAPPER = create();

    private ManifestMapper() {}

    private static YAMLMapper create() {
        LoaderOptions limits = new LoaderOptions();
        // No manifest is longer than the loader's size limit, so no scalar or document is either.
        limits.setCodePointLimit(ManifestLoader.MAX_BYTES);
        // SnakeYAML's defaults, stated because they are what stops billion-laughs documents
        // and stack-deep nesting: a manifest needs a handful of aliases and a dozen levels.
        limits.setMaxAliasesForCollections(50);
        limits.setNestingDepthLimit(50);
        limits.setAllowRecursiveKeys(false);
        YAMLFactory factory =
                YAMLFactory.builder()
                        .loaderOptions(limits)
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        // With minimal quotes a string "10" would read back as a number.
                        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                        // "training:" with nothing after it is YAML's null, not an empty string.
                        .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                        .build();
        return YAMLMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                // Numbers and booleans never from strings ("10", "true"); integers still widen
                // to floating point, as JSON means them to.
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // ...and strings never from numbers or booleans: the API server rejects those too.
                .withCoercionConfig(
                        LogicalType.Textual,
                        config ->
                                config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                        .setCoercion(
                                                CoercionInputShape.Boolean, CoercionAction.Fail))
                // Finite numbers only: Jackson would take "NaN" and "Infinity" from strings.
                .addModule(
                        new SimpleModule("finite-numbers")
                                .addDeserializer(double.class, FiniteDoubleDeserializer.PRIMITIVE)
                                .addDeserializer(Double.class, FiniteDoubleDeserializer.BOXED))
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }
}
