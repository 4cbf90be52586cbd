package dev.parley.bot;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A block of addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}). */
record Network(byte[] prefix, int bits) {

    static Network parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR block (address/bits): " + cidr);
        }
        try {
            byte[] prefix = InetAddress.getByName(cidr.substring(0, slash).strip()).getAddress();
            int bits = Integer.parseInt(cidr.substring(slash + 1).strip());
            if (bits < 0 || bits > prefix.length * 8) {
                throw new IllegalArgumentException("prefix length out of range: " + cidr);
            }
            return new Network(prefix, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR block (address/bits): " + cidr, e);
        }
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != prefix.length) {
            return false;
        }
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (bytes[whole] & mask) == (prefix[whole] & mask);
    }
}
