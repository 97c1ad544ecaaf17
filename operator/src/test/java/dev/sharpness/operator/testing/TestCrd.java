package dev.sharpness.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/** The committed CRD, as users apply it, installed into a mock API server. */
public final class TestCrd {
    private static final Path COMMITTED =
            Path.of("..", "crds", "samtrainingjobs.sharpness.dev-v1.yml");

    private TestCrd() {}

    public static void apply(KubernetesClient client) {
        CustomResourceDefinition crd =
                client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(COMMITTED.toFile())
                        .item();
        client.resource(crd).createOr(existing -> existing.update());
    }
}
