package dev.sharpness.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * ALGORITHMS.md's flat vector x: every trainable tensor in a fixed order, with the global
 * operations (norm, dot, scaled add) the optimizers need.
 *
 * <p>Lifetimes: a vector does not own its tensors. Operations that create a new vector take the
 * manager that will own it; temporaries of in-place operations live in a scope that closes before
 * the operation returns, so a long run does not grow memory.
 */
public final class ParamVector {
    private static final NDIndex ALL = new NDIndex("...");

    private final List<NDArray> tensors;

    public ParamVector(List<NDArray> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("a parameter vector needs at least one tensor");
        }
        this.tensors = List.copyOf(tensors);
    }

    /** A vector of zeros shaped like {@code like}, owned by {@code owner}. */
    public static ParamVector zerosLike(ParamVector like, NDManager owner) {
        List<NDArray> zeros = new ArrayList<>(like.size());
        for (NDArray t : like.tensors) {
            zeros.add(owner.zeros(t.getShape(), t.getDataType()));
        }
        return new ParamVector(zeros);
    }

    public int size() {
        return tensors.size();
    }

    public NDArray get(int i) {
        return tensors.get(i);
    }

    public List<NDArray> tensors() {
        return tensors;
    }

    /** Number of scalars over all tensors: the d of ALGORITHMS.md. */
    public long elementCount() {
        long n = 0;
        for (NDArray t : tensors) {
            n += t.size();
        }
        return n;
    }

    /** A deep copy owned by {@code owner}. */
    public ParamVector copy(NDManager owner) {
        List<NDArray> copies = new ArrayList<>(size());
        for (NDArray t : tensors) {
            NDArray c = t.duplicate();
            c.attach(owner);
            copies.add(c);
        }
        return new ParamVector(copies);
    }

    /**
     * Overwrites this vector with {@code source}, bit for bit. SAM restores x this way: x + eps -
     * eps is not x in floating point, and replicas would drift.
     */
    public void assign(ParamVector source) {
        checkLayout(source);
        for (int i = 0; i < size(); i++) {
            copy(source.get(i), tensors.get(i));
        }
    }

    /** Global L2 norm over all tensors, with one host synchronisation. */
    public double norm() {
        return Math.sqrt(reduce(this, null));
    }

    /** Global inner product. */
    public double dot(ParamVector other) {
        checkLayout(other);
        return reduce(this, other);
    }

    /** this += a * v, in place. */
    public void addScaled(ParamVector v, double a) {
        checkLayout(v);
        try (NDManager scope = scopeOver(this, v)) {
            for (int i = 0; i < size(); i++) {
                tensors.get(i).addi(a == 1 ? v.get(i) : v.get(i).mul(a));
            }
        }
    }

    /**
     * this += a * v, in place, with a * v made in {@code scratch} (shaped like this vector; its
     * values are overwritten): the bits of {@link #addScaled(ParamVector, double)}, and no tensor
     * allocated.
     */
    public void addScaled(ParamVector v, double a, ParamVector scratch) {
        checkLayout(v);
        checkLayout(scratch);
        for (int i = 0; i < size(); i++) {
            NDArray scaled = a == 1 ? v.get(i) : copy(v.get(i), scratch.get(i)).muli(a);
            tensors.get(i).addi(scaled);
        }
    }

    /**
     * Overwrites {@code into} with {@code from} (same shape), bit for bit; returns {@code into}.
     */
    static NDArray copy(NDArray from, NDArray into) {
        into.set(ALL, from);
        return into;
    }

    /** this *= a, in place. */
    public void scale(double a) {
        for (NDArray t : tensors) {
            t.muli(a);
        }
    }

    /**
     * A scope whose closing frees every temporary made from these vectors' tensors while it was
     * open; the tensors themselves go back to their owners.
     */
    public static NDManager scopeOver(ParamVector... vectors) {
        List<NDArray> all = new ArrayList<>();
        for (ParamVector v : vectors) {
            all.addAll(v.tensors);
        }
        return scopeOver(all);
    }

    /**
     * {@link #scopeOver(ParamVector...)} over {@code tensors} (at least one). Reading a GPU
     * tensor's bytes needs one: DJL copies it to the host in a tensor attached to the original's
     * manager, which for parameters and optimizer state lives as long as the run.
     */
    public static NDManager scopeOver(Collection<NDArray> tensors) {
        NDManager scope = NDManager.subManagerOf(tensors.iterator().next());
        // An array attached twice would be "returned" to this scope itself and freed with it.
        Set<NDArray> attached = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NDArray t : tensors) {
            if (attached.add(t)) {
                scope.tempAttachAll(t);
            }
        }
        return scope;
    }

    private static double reduce(ParamVector a, ParamVector b) {
        try (NDManager scope = b == null ? scopeOver(a) : scopeOver(a, b)) {
            NDArray[] partial = new NDArray[a.size()];
            for (int i = 0; i < a.size(); i++) {
                NDArray x = a.get(i);
                NDArray product = b == null ? x.square() : x.mul(b.get(i));
                // Sum in float64: the norm enters every SAM step and float32 sums over
                // millions of terms lose digits.
                partial[i] = product.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum();
            }
            return NDArrays.stack(new NDList(partial)).sum().getDouble();
        }
    }

    private void checkLayout(ParamVector other) {
        if (other.size() != size()) {
            throw new IllegalArgumentException(
                    "vectors have " + size() + " and " + other.size() + " tensors");
        }
    }
}
