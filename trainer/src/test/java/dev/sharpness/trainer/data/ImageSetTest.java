package dev.sharpness.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageSetTest {
    private static final float[] PIXELS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    @Test
    void holdsSamplesOfChannelsTimesHeightTimesWidth() {
        ImageSet set = new ImageSet(PIXELS, new int[] {0, 1, 2}, 1, 2, 2, 3);

        assertThat(set.size()).isEqualTo(3);
        assertThat(set.sampleLength()).isEqualTo(4);
        assertThat(set.label(2)).isEqualTo(2);
        assertThat(set.pixels()).isSameAs(PIXELS);
    }

    @Test
    void anEmptySetIsValid() {
        ImageSet empty = new ImageSet(new float[0], new int[0], 3, 32, 32, 10);

        assertThat(empty.size()).isZero();
        assertThat(empty.subset(new int[0]).size()).isZero();
    }

    @Test
    void rejectsPixelCountsThatDoNotMatchTheLabels() {
        assertThatThrownBy(() -> new ImageSet(PIXELS, new int[] {0, 1}, 1, 2, 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 8 pixel values");
    }

    @Test
    void rejectsLabelsOutsideTheClasses() {
        assertThatThrownBy(() -> new ImageSet(PIXELS, new int[] {0, 3, 1}, 1, 2, 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 3 of sample 1");
    }

    @Test
    void subsetCopiesTheChosenSamplesInOrder() {
        ImageSet set = new ImageSet(PIXELS, new int[] {0, 1, 2}, 1, 2, 2, 3);

        ImageSet subset = set.subset(new int[] {2, 0});

        assertThat(subset.pixels()).containsExactly(9, 10, 11, 12, 1, 2, 3, 4);
        assertThat(subset.labels()).containsExactly(2, 0);
        assertThat(subset.pixels()).isNotSameAs(set.pixels());
    }

    @Test
    void withLabelsSharesThePixels() {
        ImageSet set = new ImageSet(PIXELS, new int[] {0, 1, 2}, 1, 2, 2, 3);

        ImageSet relabelled = set.withLabels(new int[] {2, 2, 2});

        assertThat(relabelled.pixels()).isSameAs(set.pixels());
        assertThat(relabelled.labels()).containsExactly(2, 2, 2);
        assertThat(set.labels()).containsExactly(0, 1, 2);
    }
}
