package dev.sharpness.api.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sharpness.api.v1alpha1.BackoffSpec;
import dev.sharpness.api.v1alpha1.BaseOptimizerSpec;
import dev.sharpness.api.v1alpha1.CheckpointSpec;
import dev.sharpness.api.v1alpha1.CommunicationSpec;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.EarlyStoppingSpec;
import dev.sharpness.api.v1alpha1.FailurePolicySpec;
import dev.sharpness.api.v1alpha1.FailureRule;
import dev.sharpness.api.v1alpha1.KSamSpec;
import dev.sharpness.api.v1alpha1.LookSamSpec;
import dev.sharpness.api.v1alpha1.ModelSpec;
import dev.sharpness.api.v1alpha1.OptimizerSpec;
import dev.sharpness.api.v1alpha1.ResourcesSpec;
import dev.sharpness.api.v1alpha1.SamTrainingJob;
import dev.sharpness.api.v1alpha1.SamTrainingJobSpec;
import dev.sharpness.api.v1alpha1.SampaSpec;
import dev.sharpness.api.v1alpha1.ScheduleSpec;
import dev.sharpness.api.v1alpha1.SchedulingSpec;
import dev.sharpness.api.v1alpha1.SharpnessFromSpec;
import dev.sharpness.api.v1alpha1.SyntheticSpec;
import dev.sharpness.api.v1alpha1.TrainingSpec;
import dev.sharpness.api.v1alpha1.VolumeClaimSpec;
import dev.sharpness.api.v1alpha1.WorkerSpec;
import dev.sharpness.api.v1alpha1.WorkerTemplateSpec;
import io.fabric8.generator.annotation.Default;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The CRD schema's defaults come from {@code @Default}, the trainer's from field initializers: they
 * must say the same thing.
 */
class ApiDefaultsTest {

    @Test
    void specClassesAreFoundByWalkingFromTheSpec() {
        assertThat(specClasses())
                .containsExactlyInAnyOrder(
                        SamTrainingJobSpec.class,
                        ModelSpec.class,
                        DatasetSpec.class,
                        SyntheticSpec.class,
                        OptimizerSpec.class,
                        SampaSpec.class,
                        KSamSpec.class,
                        LookSamSpec.class,
                        SharpnessFromSpec.class,
                        BaseOptimizerSpec.class,
                        ScheduleSpec.class,
                        TrainingSpec.class,
                        EarlyStoppingSpec.class,
                        CommunicationSpec.class,
                        CheckpointSpec.class,
                        VolumeClaimSpec.class,
                        WorkerSpec.class,
                        ResourcesSpec.class,
                        WorkerTemplateSpec.class,
                        SchedulingSpec.class,
                        FailurePolicySpec.class,
                        BackoffSpec.class,
                        FailureRule.class);
    }

    @Test
    void everyDefaultAnnotationEqualsTheFieldInitializer() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Class<?> type : specClasses()) {
            Object fresh = type.getDeclaredConstructor().newInstance();
            for (Field field : instanceFields(type)) {
                Default annotation = field.getAnnotation(Default.class);
                if (annotation == null) {
                    continue;
                }
                Object declared =
                        ManifestMapper.MAPPER.readValue(annotation.value(), field.getType());
                assertThat(field.get(fresh))
                        .as(
                                "%s.%s: @Default(\"%s\")",
                                type.getSimpleName(), field.getName(), annotation.value())
                        .isEqualTo(declared);
                checked.add(type.getSimpleName() + "." + field.getName());
            }
        }
        assertThat(checked)
                .contains(
                        "TrainingSpec.epochs",
                        "BaseOptimizerSpec.type",
                        "DatasetSpec.augmentation");
    }

    @Test
    void everyScalarFieldWithAnInitializerDeclaresItsDefault() throws Exception {
        for (Class<?> type : specClasses()) {
            Object fresh = type.getDeclaredConstructor().newInstance();
            for (Field field : instanceFields(type)) {
                boolean scalar =
                        field.getType().isPrimitive()
                                || field.getType().isEnum()
                                || field.getType() == String.class
                                || Number.class.isAssignableFrom(field.getType());
                if (scalar && field.get(fresh) != null) {
                    assertThat(field.getAnnotation(Default.class))
                            .as("@Default on %s.%s", type.getSimpleName(), field.getName())
                            .isNotNull();
                }
            }
        }
    }

    /** The spec and every API class reachable from it through fields and list elements. */
    private static Set<Class<?>> specClasses() {
        Set<Class<?>> found = new LinkedHashSet<>();
        collect(SamTrainingJobSpec.class, found);
        return found;
    }

    private static void collect(Class<?> type, Set<Class<?>> found) {
        if (!type.getPackageName().equals(SamTrainingJob.class.getPackageName())
                || type.isEnum()
                || !found.add(type)) {
            return;
        }
        for (Field field : instanceFields(type)) {
            collect(field.getType(), found);
            Type generic = field.getGenericType();
            if (generic instanceof ParameterizedType) {
                for (Type argument : ((ParameterizedType) generic).getActualTypeArguments()) {
                    if (argument instanceof Class) {
                        collect((Class<?>) argument, found);
                    }
                }
            }
        }
    }

    private static List<Field> instanceFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                field.setAccessible(true);
                fields.add(field);
            }
        }
        return fields;
    }
}
