package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sharpness.api.v1alpha1.DatasetSpec;
import dev.sharpness.api.v1alpha1.DatasetSpec.Augmentation;
import dev.sharpness.api.v1alpha1.DatasetSpec.Format;
import dev.sharpness.trainer.data.BatchAssembler.CropFlip;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {
    private static final int C = 2;
    private static final int H = 5;
    private static final int W = 6;
    private static final int N = 20;

    private static NDManager manager;
    private static ImageSet set;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        float[] pixels = new float[N * C * H * W];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i + 1; // nonzero, so padding (0) is told apart from image content
        }
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = i % 3;
        }
        set = new ImageSet(pixels, labels, C, H, W, 3);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void batchHasFloatImagesNchwAndIntLabels() {
        try (NDManager scope = manager.newSubManager()) {
            Batch batch =
                    new BatchAssembler(set, true, 1).assemble(scope, new int[] {4, 0, 7}, 0, 0);

            assertThat(batch.images().getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(batch.images().getShape()).isEqualTo(new Shape(3, C, H, W));
            assertThat(batch.labels().getDataType()).isEqualTo(DataType.INT32);
            assertThat(batch.labels().getShape()).isEqualTo(new Shape(3));
            assertThat(batch.labels().toIntArray()).containsExactly(1, 0, 1);
            assertThat(batch.indices()).containsExactly(4, 0, 7);
        }
    }

    @Test
    void withoutAugmentationTheBatchIsTheRawSamples() {
        int[] indices = {3, 19, 3};
        try (NDManager scope = manager.newSubManager()) {
            float[] images =
                    new BatchAssembler(set, false, 1)
                            .assemble(scope, indices, 5, 99)
                            .images()
                            .toFloatArray();

            for (int i = 0; i < indices.length; i++) {
                assertThat(Arrays.copyOfRange(images, i * C * H * W, (i + 1) * C * H * W))
                        .isEqualTo(sample(indices[i]));
            }
        }
    }

    @Test
    void augmentationIsAPureFunctionOfSeedEpochStepAndSample() {
        int[] indices = {0, 1, 2, 3, 4, 5, 6, 7};
        try (NDManager scope = manager.newSubManager()) {
            float[] a =
                    new BatchAssembler(set, true, 11)
                            .assemble(scope, indices, 2, 40)
                            .images()
                            .toFloatArray();
            float[] b =
                    new BatchAssembler(set, true, 11)
                            .assemble(scope, indices, 2, 40)
                            .images()
                            .toFloatArray();
            float[] otherStep =
                    new BatchAssembler(set, true, 11)
                            .assemble(scope, indices, 2, 41)
                            .images()
                            .toFloatArray();

            assertThat(b).isEqualTo(a);
            assertThat(otherStep).isNotEqualTo(a);
        }
        BatchAssembler assembler = new BatchAssembler(set, true, 11);
        long differing =
                Arrays.stream(indices)
                        .filter(
                                s ->
                                        !assembler
                                                .cropFlip(2, 40, s)
                                                .equals(assembler.cropFlip(2, 41, s)))
                        .count();
        assertThat(differing).isGreaterThan(0);
    }

    @Test
    void aSampleInABatchDoesNotDependOnItsNeighbours() {
        try (NDManager scope = manager.newSubManager()) {
            BatchAssembler assembler = new BatchAssembler(set, true, 3);
            float[] alone = assembler.assemble(scope, new int[] {9}, 1, 7).images().toFloatArray();
            float[] among =
                    assembler.assemble(scope, new int[] {2, 9}, 1, 7).images().toFloatArray();

            assertThat(Arrays.copyOfRange(among, C * H * W, 2 * C * H * W)).isEqualTo(alone);
        }
    }

    @Test
    void flipOnlyGivesTheMirrorImage() {
        BatchAssembler assembler = new BatchAssembler(set, true, 5);
        int sample = 6;
        long step =
                findStep(
                        assembler,
                        sample,
                        new CropFlip(BatchAssembler.PAD, BatchAssembler.PAD, true));
        try (NDManager scope = manager.newSubManager()) {
            float[] out =
                    assembler.assemble(scope, new int[] {sample}, 0, step).images().toFloatArray();

            float[] in = sample(sample);
            for (int c = 0; c < C; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        assertThat(out[(c * H + y) * W + x])
                                .isEqualTo(in[(c * H + y) * W + (W - 1 - x)]);
                    }
                }
            }
        }
    }

    @Test
    void cropShiftedDownAndRightFillsWithZeroPadding() {
        BatchAssembler assembler = new BatchAssembler(set, true, 5);
        int sample = 1;
        // window starts one row below and two columns right of the unshifted position
        CropFlip shift = new CropFlip(BatchAssembler.PAD + 1, BatchAssembler.PAD + 2, false);
        long step = findStep(assembler, sample, shift);
        try (NDManager scope = manager.newSubManager()) {
            float[] out =
                    assembler.assemble(scope, new int[] {sample}, 0, step).images().toFloatArray();

            float[] in = sample(sample);
            for (int c = 0; c < C; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        float expected =
                                y + 1 < H && x + 2 < W ? in[(c * H + y + 1) * W + x + 2] : 0f;
                        assertThat(out[(c * H + y) * W + x]).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void autoAugmentsOnlyCifar() {
        assertThat(BatchAssembler.augmentationOn(spec(Format.CIFAR10, Augmentation.AUTO))).isTrue();
        assertThat(BatchAssembler.augmentationOn(spec(Format.CIFAR100, Augmentation.AUTO)))
                .isTrue();
        assertThat(BatchAssembler.augmentationOn(spec(Format.FASHION_MNIST, Augmentation.AUTO)))
                .isFalse();
        assertThat(BatchAssembler.augmentationOn(spec(Format.SYNTHETIC, Augmentation.AUTO)))
                .isFalse();
        assertThat(BatchAssembler.augmentationOn(spec(Format.MNIST, Augmentation.STANDARD)))
                .isTrue();
        assertThat(BatchAssembler.augmentationOn(spec(Format.CIFAR10, Augmentation.NONE)))
                .isFalse();
    }

    private static long findStep(BatchAssembler assembler, int sample, CropFlip wanted) {
        for (long step = 0; step < 100_000; step++) {
            if (assembler.cropFlip(0, step, sample).equals(wanted)) {
                return step;
            }
        }
        throw new AssertionError("no step draws " + wanted);
    }

    private static float[] sample(int i) {
        int length = set.sampleLength();
        return Arrays.copyOfRange(set.pixels(), i * length, (i + 1) * length);
    }

    private static DatasetSpec spec(Format format, Augmentation augmentation) {
        DatasetSpec spec = new DatasetSpec();
        spec.setFormat(format);
        spec.setAugmentation(augmentation);
        return spec;
    }
}
