package net.rhizome.swarm.store;

import java.nio.file.Path;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.storage.ResumeState;

/** Whether a model's saved resume state says every piece is verified. */
final class ResumeCheck {
    private ResumeCheck() {}

    static boolean complete(Path resume, Metainfo m) {
        int n = m.info().pieceCount();
        return ResumeState.load(resume, m.info().infoHashV2(), n).map(b -> b.cardinality() == n).orElse(false);
    }
}
