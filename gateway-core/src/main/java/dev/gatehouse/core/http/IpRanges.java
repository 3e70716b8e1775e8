package dev.gatehouse.core.http;

import dev.gatehouse.api.net.IpBlock;
import java.net.InetAddress;
import java.util.List;

/**
 * A set of IP addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}, {@code 2001:db8::/32}), such as
 * {@code forwardedHeaders.trustedIPs}: parsed once as the plugins parse theirs ({@link IpBlock}) and tested
 * without allocation.
 */
public final class IpRanges {

    private static final IpRanges NONE = new IpRanges(new IpBlock[0]);

    private final IpBlock[] blocks;

    private IpRanges(IpBlock[] blocks) {
        this.blocks = blocks;
    }

    public static IpRanges none() {
        return NONE;
    }

    /**
     * Parses each entry; an entry that is not an IP literal or CIDR is an error naming it (host names are
     * refused: they would need a DNS lookup).
     */
    public static IpRanges parse(List<String> entries) {
        return new IpRanges(entries.stream().map(IpBlock::parse).toArray(IpBlock[]::new));
    }

    /** As {@link #parse(List)}, an error naming the entry as {@code key[i]}. */
    public static IpRanges parse(String key, List<String> entries) {
        IpBlock[] blocks = new IpBlock[entries.size()];
        for (int i = 0; i < blocks.length; i++) {
            try {
                blocks[i] = IpBlock.parse(entries.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "[" + i + "]: " + e.getMessage(), e);
            }
        }
        return new IpRanges(blocks);
    }

    public boolean isEmpty() {
        return blocks.length == 0;
    }

    public boolean contains(InetAddress address) {
        return address != null && contains(address.getAddress());
    }

    public boolean contains(byte[] address) {
        for (IpBlock block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
