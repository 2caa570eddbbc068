package net.rhizome.ledger;

/** The two assets: credits (what users spend) and RHZ (staked, earned as rewards, slashed). */
public enum Asset {
    CREDITS(1),
    RHZ(2);

    private final int code;

    Asset(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Asset ofCode(int code) {
        for (Asset a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown asset code " + code);
    }
}
