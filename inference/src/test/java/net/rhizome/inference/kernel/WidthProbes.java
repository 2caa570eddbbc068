package net.rhizome.inference.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a probe's {@code main} in a child JVM at a forced vector width (the width is fixed per JVM). */
public final class WidthProbes {
    private WidthProbes() {}

    /** The child's standard output; fails the calling test unless it exits 0 within two minutes. */
    public static String run(String bits, String mainClass, String... args) throws Exception {
        return runWithJvmOptions(List.of(), bits, mainClass, args);
    }

    /** As {@link #run}, with extra options for the child JVM (such as {@code -Xbatch}, which changes the JIT's compile order). */
    public static String runWithJvmOptions(List<String> jvmOptions, String bits, String mainClass, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Drhizome.vector.bits=" + bits, "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
        assertThat(p.exitValue()).as("probe exit code, output: %s", out).isZero();
        return out;
    }
}
