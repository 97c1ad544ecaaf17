package dev.sharpness.api.v1alpha1;

/** Names of the {@code SamTrainingJob} API that code and manifests share. */
public final class Constants {
    public static final String GROUP = "sharpness.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = "SamTrainingJob";
    public static final String SHORT_NAME = "samjob";

    /** Pod and Service names derive from the job name, so it must stay a DNS-1035 label. */
    public static final String DNS_1035_LABEL = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";

    private Constants() {}
}
