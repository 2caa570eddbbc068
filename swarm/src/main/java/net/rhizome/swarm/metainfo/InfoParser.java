package net.rhizome.swarm.metainfo;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BValue.BInt;
import net.rhizome.core.bencode.BValue.BList;
import net.rhizome.core.bencode.Bencode;
import net.rhizome.core.bencode.BencodeException;

/** Strict parser for BEP 52 info dictionaries, including the v1 half of hybrid torrents. */
final class InfoParser {
    static final int MAX_INFO_BYTES = 8 << 20;
    static final int MAX_FILES = 100_000;
    static final int MAX_PIECES = 1 << 22;
    static final int MIN_PIECE = Merkle.BLOCK;
    static final int MAX_PIECE = 64 << 20;
    private static final Bencode.Limits LIMITS = new Bencode.Limits(48, 2_000_000);

    private InfoParser() {}

    static InfoDict parse(byte[] raw) {
        if (raw.length > MAX_INFO_BYTES) {
            throw new MetainfoException("info dictionary is " + raw.length + " bytes, limit " + MAX_INFO_BYTES);
        }
        BValue v;
        try {
            v = Bencode.decode(raw, LIMITS);
        } catch (BencodeException e) {
            throw new MetainfoException("info dictionary is not valid bencode: " + e.getMessage(), e);
        }
        if (!(v instanceof BDict info)) {
            throw new MetainfoException("info is not a dictionary");
        }
        try {
            return parse(raw, info);
        } catch (BencodeException e) {
            throw new MetainfoException("info dictionary: " + e.getMessage(), e);
        }
    }

    private static InfoDict parse(byte[] raw, BDict info) {
        long version = info.require("meta version", BInt.class).value();
        if (version != 2) {
            throw new MetainfoException("meta version is " + version + ", only 2 (BEP 52) is supported");
        }
        String name = PathNames.check(utf8(info.require("name", BBytes.class), "name"), "torrent name");
        long pieceLength = info.require("piece length", BInt.class).value();
        if (pieceLength < MIN_PIECE || pieceLength > MAX_PIECE || Long.bitCount(pieceLength) != 1) {
            throw new MetainfoException("piece length " + pieceLength + " is not a power of two between 16 KiB and 64 MiB");
        }
        int pl = (int) pieceLength;
        BDict tree = info.require("file tree", BDict.class);
        List<RawFile> raws = new ArrayList<>();
        walk(tree, new ArrayList<>(), raws, 0);
        if (raws.isEmpty()) {
            throw new MetainfoException("file tree holds no files");
        }
        boolean single = raws.size() == 1 && raws.getFirst().path.size() == 1;
        List<FileEntry> files = new ArrayList<>();
        long piece = 0;
        for (RawFile f : raws) {
            List<String> path = new ArrayList<>();
            if (!single) {
                path.add(name);
            }
            path.addAll(f.path);
            files.add(new FileEntry(path, f.length, f.root, (int) piece));
            piece += (f.length + pl - 1) / pl;
            if (piece > MAX_PIECES) {
                throw new MetainfoException("torrent has more than " + MAX_PIECES + " pieces");
            }
        }
        if (piece == 0) {
            throw new MetainfoException("torrent holds no data (all files are empty)");
        }
        byte[] v1 = info.optional("pieces", BBytes.class).map(BBytes::bytes).orElse(null);
        if (v1 != null) {
            checkV1(info, v1, name, raws, single, pl, (int) piece);
        }
        return new InfoDict(raw, name, pl, files, (int) piece, v1);
    }

    private record RawFile(List<String> path, long length, byte[] root) {}

    private static void walk(BDict node, List<String> prefix, List<RawFile> out, int depth) {
        if (depth > 32) {
            throw new MetainfoException("file tree is nested deeper than 32 directories");
        }
        for (Map.Entry<BBytes, BValue> e : node.entries().entrySet()) {
            String key = utf8(e.getKey(), "file tree key");
            if (!(e.getValue() instanceof BDict child)) {
                throw new MetainfoException("file tree entry '" + String.join("/", prefix) + "/" + key + "' is not a dictionary");
            }
            if (key.isEmpty()) {
                throw new MetainfoException("file tree entry under '" + String.join("/", prefix) + "' has an empty name");
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(PathNames.check(key, "file name"));
            BValue leaf = child.entries().get(BBytes.of(""));
            if (leaf != null) {
                if (child.entries().size() != 1) {
                    throw new MetainfoException("file '" + String.join("/", path) + "' is also a directory");
                }
                if (!(leaf instanceof BDict props)) {
                    throw new MetainfoException("file '" + String.join("/", path) + "' has no properties dictionary");
                }
                out.add(file(path, props));
                if (out.size() > MAX_FILES) {
                    throw new MetainfoException("torrent has more than " + MAX_FILES + " files");
                }
            } else {
                if (child.entries().isEmpty()) {
                    throw new MetainfoException("directory '" + String.join("/", path) + "' is empty");
                }
                walk(child, path, out, depth + 1);
            }
        }
    }

    private static RawFile file(List<String> path, BDict props) {
        long length = props.require("length", BInt.class).value();
        if (length < 0) {
            throw new MetainfoException("file '" + String.join("/", path) + "' has negative length " + length);
        }
        byte[] root = null;
        if (length > 0) {
            root = props.require("pieces root", BBytes.class).bytes();
            if (root.length != Merkle.HASH) {
                throw new MetainfoException("file '" + String.join("/", path) + "' has a pieces root of " + root.length + " bytes, expected 32");
            }
        }
        return new RawFile(path, length, root);
    }

    private static void checkV1(BDict info, byte[] pieces, String name, List<RawFile> v2, boolean single, int pl, int pieceCount) {
        if (pieces.length % 20 != 0) {
            throw new MetainfoException("v1 pieces has " + pieces.length + " bytes, not a multiple of 20");
        }
        if (pieces.length / 20 != pieceCount) {
            throw new MetainfoException("v1 pieces lists " + pieces.length / 20 + " pieces, the v2 file tree needs " + pieceCount);
        }
        List<RawFile> v1 = new ArrayList<>();
        List<Boolean> pads = new ArrayList<>();
        if (info.get("files").isPresent()) {
            for (BValue item : info.require("files", BList.class).items()) {
                if (!(item instanceof BDict f)) {
                    throw new MetainfoException("v1 files entry is not a dictionary");
                }
                long length = f.require("length", BInt.class).value();
                List<String> path = new ArrayList<>();
                for (BValue c : f.require("path", BList.class).items()) {
                    if (!(c instanceof BBytes b)) {
                        throw new MetainfoException("v1 path component is not a string");
                    }
                    path.add(utf8(b, "v1 path component"));
                }
                boolean pad = f.optional("attr", BBytes.class).map(a -> a.utf8().contains("p")).orElse(false);
                v1.add(new RawFile(path, length, null));
                pads.add(pad);
            }
        } else {
            v1.add(new RawFile(List.of(name), info.require("length", BInt.class).value(), null));
            pads.add(false);
        }
        long offset = 0;
        int next = 0;
        for (int i = 0; i < v1.size(); i++) {
            RawFile f = v1.get(i);
            if (f.length < 0) {
                throw new MetainfoException("v1 file has negative length");
            }
            if (pads.get(i)) {
                offset += f.length;
                continue;
            }
            if (next >= v2.size()) {
                throw new MetainfoException("v1 file list has more files than the v2 file tree");
            }
            RawFile expected = v2.get(next++);
            List<String> expectedPath = single ? List.of(name) : expected.path;
            if (!f.path.equals(expectedPath) || f.length != expected.length) {
                throw new MetainfoException("v1 file '" + String.join("/", f.path) + "' (" + f.length
                        + " bytes) does not match v2 file '" + String.join("/", expected.path) + "' (" + expected.length + " bytes)");
            }
            if (f.length > 0 && offset % pl != 0) {
                throw new MetainfoException("v1 file '" + String.join("/", f.path) + "' is not aligned to a piece boundary");
            }
            offset += f.length;
        }
        if (next != v2.size()) {
            throw new MetainfoException("v1 file list has fewer files than the v2 file tree");
        }
    }

    static String utf8(BBytes b, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b.bytes())).toString();
        } catch (CharacterCodingException e) {
            throw new MetainfoException(what + " is not valid UTF-8");
        }
    }
}
