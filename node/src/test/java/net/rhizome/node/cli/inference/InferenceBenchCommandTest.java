package net.rhizome.node.cli.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.node.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceBenchCommandTest {

    @Test
    void smallestSettingsRunEveryFigure(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("tiny.gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q4_0, 3, model);
        // the warm-up decodes further than this prompt and answer: the context must hold it too
        CliRun run = CliRun.run("bench", "inference", "--model", model.toString(), "--prompt-tokens", "80", "--tokens", "2",
                "--verify-tokens", "2", "--rounds", "1", "--threads", "1", "--skip-llama-cpp");
        assertThat(run.exit()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("best rhizome:", "determinism cost: Q4_0", "verify 2-token answer after a 80-token prompt")
                .contains("(verified)");
    }
}
