package io.roomcast.gateway.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Who a client is for the per-address limits: the TCP peer, or, for a connection from a trusted
 * proxy (a load balancer: {@code --trusted-proxies}), the last address of its
 * {@code X-Forwarded-For}. IPv6 clients are keyed by their /64 (one household or host gets a
 * whole /64, so a key per address would let one client take any number of keys). Immutable.
 */
public final class ClientAddresses {

    /** A network: an address and how many leading bits must match. */
    private record Cidr(byte[] network, int bits) {
        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> trusted;

    private ClientAddresses(List<Cidr> trusted) {
        this.trusted = trusted;
    }

    /**
     * From a comma-separated list of addresses or networks ({@code 10.0.0.0/8, 127.0.0.1, ::1});
     * an empty list trusts no proxy. A malformed entry is an {@link IllegalArgumentException}.
     */
    public static ClientAddresses trusting(String list) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String entry : list == null ? new String[0] : list.split(",")) {
            entry = entry.strip();
            if (entry.isEmpty()) {
                continue;
            }
            String[] parts = entry.split("/", 2);
            byte[] network = literal(parts[0]);
            if (network == null) {
                throw new IllegalArgumentException("not an IP address or network: " + entry);
            }
            int bits = network.length * 8;
            if (parts.length == 2) {
                try {
                    bits = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in " + entry);
                }
            }
            cidrs.add(new Cidr(network, bits));
        }
        return new ClientAddresses(List.copyOf(cidrs));
    }

    public boolean isTrustedProxy(InetAddress peer) {
        for (Cidr cidr : trusted) {
            if (cidr.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    /** The key of a TCP peer. */
    public static String keyOf(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16) {
            byte[] prefix = Arrays.copyOf(bytes, 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return address.getHostAddress();
    }

    /**
     * The client's address for a request: the peer's, unless the peer is a trusted proxy and
     * the request names the client in {@code X-Forwarded-For} (its last entry: the one the
     * proxy added; earlier ones are whatever the client claimed).
     */
    public InetAddress clientOf(SocketAddress peer, String forwardedFor) {
        InetAddress address = peer instanceof InetSocketAddress socket ? socket.getAddress() : null;
        if (address == null || forwardedFor == null || !isTrustedProxy(address)) {
            return address;
        }
        String last = forwardedFor.substring(forwardedFor.lastIndexOf(',') + 1).strip();
        byte[] literal = literal(last);
        try {
            return literal == null ? address : InetAddress.getByAddress(literal);
        } catch (UnknownHostException e) {
            return address;
        }
    }

    /** The bytes of an IP literal, or null; never a DNS lookup. */
    private static byte[] literal(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty() || !(s.matches("[0-9.]+") || (s.contains(":") && s.matches("[0-9A-Fa-f:.]+")))) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress(); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
