package net.rhizome.ledger.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.BlockHeader;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.Ledger.TxRecord;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.state.StateEntry;
import net.rhizome.ledger.state.StateKey;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.SignedTransaction;

/**
 * The ledger's SQLite file (WAL mode, synchronous=FULL): an append-only log of block headers and
 * transactions, an index of which accounts each transaction involves, and the state as
 * key/value rows. {@link #commitBlock} writes a whole block in one SQLite transaction (group
 * commit), so after a crash the file holds exactly the blocks whose commit returned.
 */
public final class SqliteStore implements AutoCloseable {
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS blocks(height INTEGER PRIMARY KEY, hash BLOB NOT NULL, header BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS txs(id BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
            CREATE UNIQUE INDEX IF NOT EXISTS txs_position ON txs(height, idx);
            CREATE TABLE IF NOT EXISTS tx_parties(account BLOB NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL,
                PRIMARY KEY(account, height, idx)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS state(key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
            """;

    private final Path file;
    private final Connection db;

    private SqliteStore(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    public static SqliteStore open(Path file) throws StoreException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA busy_timeout=5000");
                for (String sql : SCHEMA.split(";")) {
                    if (!sql.isBlank()) {
                        st.execute(sql);
                    }
                }
            }
            db.setAutoCommit(false);
            db.commit();
            return new SqliteStore(file, db);
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open ledger database " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public Optional<byte[]> genesis() throws StoreException {
        try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE name = 'genesis'")) {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw fail("read genesis", e);
        }
    }

    /** Writes the genesis config, block 0 and the genesis state in one transaction. */
    public void initialise(byte[] genesis, BlockHeader block0, Map<StateKey, StateEntry> state) throws StoreException {
        try {
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO meta(name, value) VALUES ('genesis', ?)")) {
                ps.setBytes(1, genesis);
                ps.executeUpdate();
            }
            writeBlock(block0, List.of(), state);
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw fail("initialise", e);
        }
    }

    public Optional<BlockHeader> head() throws StoreException {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT header FROM blocks ORDER BY height DESC LIMIT 1")) {
            return rs.next() ? Optional.of(BlockHeader.decode(rs.getBytes(1))) : Optional.empty();
        } catch (SQLException | DecodeException e) {
            throw fail("read the head block", e);
        }
    }

    public List<StateEntry> loadState() throws StoreException {
        List<StateEntry> out = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT value FROM state")) {
            while (rs.next()) {
                out.add(StateEntry.decode(rs.getBytes(1)));
            }
            return out;
        } catch (SQLException | DecodeException e) {
            throw fail("load the state", e);
        }
    }

    /** Appends a block with its transactions and the state entries it changed (null = removed); one SQLite commit. */
    public void commitBlock(BlockHeader header, List<SignedTransaction> txs, Map<StateKey, StateEntry> changed) throws StoreException {
        try {
            writeBlock(header, txs, changed);
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw fail("commit block " + header.height(), e);
        }
    }

    private void writeBlock(BlockHeader header, List<SignedTransaction> txs, Map<StateKey, StateEntry> changed) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO blocks(height, hash, header) VALUES (?, ?, ?)")) {
            ps.setLong(1, header.height());
            ps.setBytes(2, header.hash().bytes());
            ps.setBytes(3, header.encode());
            ps.executeUpdate();
        }
        try (PreparedStatement tx = db.prepareStatement("INSERT INTO txs(id, height, idx, body) VALUES (?, ?, ?, ?)");
             PreparedStatement party = db.prepareStatement("INSERT OR IGNORE INTO tx_parties(account, height, idx) VALUES (?, ?, ?)")) {
            for (int i = 0; i < txs.size(); i++) {
                SignedTransaction t = txs.get(i);
                tx.setBytes(1, t.id().bytes());
                tx.setLong(2, header.height());
                tx.setInt(3, i);
                tx.setBytes(4, t.encode());
                tx.addBatch();
                for (PeerId p : parties(t)) {
                    party.setBytes(1, p.bytes());
                    party.setLong(2, header.height());
                    party.setInt(3, i);
                    party.addBatch();
                }
            }
            tx.executeBatch();
            party.executeBatch();
        }
        try (PreparedStatement put = db.prepareStatement("INSERT OR REPLACE INTO state(key, value) VALUES (?, ?)");
             PreparedStatement del = db.prepareStatement("DELETE FROM state WHERE key = ?")) {
            for (var e : changed.entrySet()) {
                if (e.getValue() == null) {
                    del.setBytes(1, e.getKey().encode());
                    del.addBatch();
                } else {
                    put.setBytes(1, e.getKey().encode());
                    put.setBytes(2, e.getValue().encode());
                    put.addBatch();
                }
            }
            put.executeBatch();
            del.executeBatch();
        }
    }

    /** The accounts a transaction names: its sender and any counterparty. */
    private static Set<PeerId> parties(SignedTransaction t) {
        Set<PeerId> out = new LinkedHashSet<>();
        out.add(t.transaction().sender());
        switch (t.transaction().operation()) {
            case Operation.Transfer x -> out.add(x.to());
            case Operation.Mint x -> out.add(x.to());
            case Operation.OpenChannel x -> out.add(x.payee());
            case Operation.OpenEscrow x -> out.add(x.worker());
            case Operation.RecordAudit x -> out.add(x.worker());
            case Operation.OpenChallenge x -> {
                out.add(x.worker());
                out.add(x.user());
            }
            default -> { }
        }
        return out;
    }

    public List<BlockHeader> headers(long fromHeight, int limit) throws StoreException {
        try (PreparedStatement ps = db.prepareStatement("SELECT header FROM blocks WHERE height >= ? ORDER BY height LIMIT ?")) {
            ps.setLong(1, fromHeight);
            ps.setInt(2, limit);
            List<BlockHeader> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(BlockHeader.decode(rs.getBytes(1)));
                }
            }
            return out;
        } catch (SQLException | DecodeException e) {
            throw fail("read block headers", e);
        }
    }

    public List<SignedTransaction> transactions(long height) throws StoreException {
        try (PreparedStatement ps = db.prepareStatement("SELECT body FROM txs WHERE height = ? ORDER BY idx")) {
            ps.setLong(1, height);
            List<SignedTransaction> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(SignedTransaction.decode(rs.getBytes(1)));
                }
            }
            return out;
        } catch (SQLException | DecodeException e) {
            throw fail("read the transactions of block " + height, e);
        }
    }

    public Optional<TxRecord> transaction(Hash32 id) throws StoreException {
        try (PreparedStatement ps = db.prepareStatement("SELECT height, idx, body FROM txs WHERE id = ?")) {
            ps.setBytes(1, id.bytes());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new TxRecord(rs.getLong(1), rs.getInt(2), SignedTransaction.decode(rs.getBytes(3))))
                        : Optional.empty();
            }
        } catch (SQLException | DecodeException e) {
            throw fail("read transaction " + id.shortHex(), e);
        }
    }

    public long transactionCount() throws StoreException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM txs")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw fail("count transactions", e);
        }
    }

    public List<TxRecord> history(PeerId account, int limit) throws StoreException {
        String sql = """
                SELECT t.height, t.idx, t.body FROM tx_parties p JOIN txs t ON t.height = p.height AND t.idx = p.idx
                WHERE p.account = ? ORDER BY p.height DESC, p.idx DESC LIMIT ?""";
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setBytes(1, account.bytes());
            ps.setInt(2, limit);
            List<TxRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TxRecord(rs.getLong(1), rs.getInt(2), SignedTransaction.decode(rs.getBytes(3))));
                }
            }
            return out;
        } catch (SQLException | DecodeException e) {
            throw fail("read history", e);
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what gets reported
        }
    }

    private StoreException fail(String what, Exception e) {
        return new StoreException("ledger database " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing a connection that failed has nothing left to release
        }
    }
}
