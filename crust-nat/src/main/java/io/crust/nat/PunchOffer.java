package io.crust.nat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one peer tells the other through the {@link OfferExchange} before punching: its candidates,
 * ICE-style credentials (RFC 8445 section 5.3) and a tie-breaker that decides who nominates.
 *
 * <p>{@link #encode()} gives one line of text, so any channel that carries a string carries an
 * offer:
 * <pre>
 * crust-punch/1 UFRAG PASSWORD TIEBREAKER(16 hex) MAPPING(ei|dep|unknown) T,IP,PORT,PRIORITY ...
 * </pre>
 *
 * @param ufrag                    the username fragment, 4-32 characters of [A-Za-z0-9+/_-]
 * @param password                 the key of the checks' MESSAGE-INTEGRITY, 22-64 such characters
 * @param tieBreaker               random; the peer with the larger value is controlling
 * @param endpointDependentMapping true when this peer's NAT maps per destination (symmetric):
 *                                 then its reflexive address does not work for others and the
 *                                 other peer must guess ports
 * @param candidates               in priority order, at most {@link #MAX_CANDIDATES}
 */
public record PunchOffer(String ufrag, String password, long tieBreaker, boolean endpointDependentMapping,
        List<Candidate> candidates) {

    /** The most candidates an offer carries; {@link #decode} refuses a line with more. */
    public static final int MAX_CANDIDATES = 16;
    private static final String VERSION = "crust-punch/1";
    private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9+/_-]+");
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Validates the credentials and the number of candidates, and sorts the candidates by priority, highest first.
     *
     * @throws IllegalArgumentException if a credential is too short, too long or has other characters, or if there
     *                                  are more than {@link #MAX_CANDIDATES} candidates
     */
    public PunchOffer {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(password, "password");
        if (ufrag.length() < 4 || ufrag.length() > 32 || !CREDENTIAL.matcher(ufrag).matches()) {
            throw new IllegalArgumentException("ufrag must be 4-32 characters of [A-Za-z0-9+/_-]");
        }
        if (password.length() < 22 || password.length() > 64 || !CREDENTIAL.matcher(password).matches()) {
            throw new IllegalArgumentException("password must be 22-64 characters of [A-Za-z0-9+/_-]");
        }
        if (candidates.size() > MAX_CANDIDATES) {
            throw new IllegalArgumentException("at most " + MAX_CANDIDATES + " candidates, got " + candidates.size());
        }
        candidates = candidates.stream().sorted(Comparator.comparingLong(Candidate::priority).reversed()).toList();
    }

    /**
     * A new offer with fresh random credentials (48-bit ufrag, 128-bit password) and tie-breaker.
     *
     * @param candidates               this side's candidates, at most {@link #MAX_CANDIDATES}, in any order
     * @param endpointDependentMapping true when this side's NAT maps per destination
     * @return the offer
     */
    public static PunchOffer create(List<Candidate> candidates, boolean endpointDependentMapping) {
        return new PunchOffer(randomText(6), randomText(16), RANDOM.nextLong(), endpointDependentMapping,
                candidates);
    }

    /** {@return this offer as one line of text, in the format of the class comment} */
    public String encode() {
        StringBuilder s = new StringBuilder(VERSION).append(' ').append(ufrag).append(' ').append(password)
                .append(' ').append(HexFormat.of().toHexDigits(tieBreaker)).append(' ')
                .append(endpointDependentMapping ? "dep" : "ei");
        for (Candidate c : candidates) {
            s.append(' ').append(c.type().code()).append(',').append(c.address().getAddress().getHostAddress())
                    .append(',').append(c.address().getPort()).append(',').append(c.priority());
        }
        return s.toString();
    }

    /**
     * Parses {@link #encode()}'s line, validating every field. IP addresses must be literals: no name is looked up.
     *
     * @param line the line from the other peer, at most 4096 characters
     * @return the offer
     * @throws NatException when the line is not a valid offer; the message names the bad field
     */
    public static PunchOffer decode(String line) throws NatException {
        if (line.length() > 4096) {
            throw new NatException("punch offer too long: " + line.length() + " characters");
        }
        String[] parts = line.strip().split(" ");
        if (parts.length < 5 || !parts[0].equals(VERSION)) {
            throw new NatException("not a punch offer (expected '" + VERSION + " ufrag password tiebreaker mapping ...')");
        }
        if (parts.length - 5 > MAX_CANDIDATES) {
            throw new NatException("punch offer has more than " + MAX_CANDIDATES + " candidates");
        }
        long tieBreaker;
        try {
            if (parts[3].length() != 16) {
                throw new NumberFormatException("tie-breaker must be 16 hex digits");
            }
            tieBreaker = HexFormat.fromHexDigitsToLong(parts[3]);
        } catch (NumberFormatException e) {
            throw new NatException("punch offer: bad tie-breaker '" + parts[3] + "'");
        }
        boolean dependent = switch (parts[4]) {
            case "dep" -> true;
            case "ei", "unknown" -> false;
            default -> throw new NatException("punch offer: mapping must be ei, dep or unknown, was '" + parts[4] + "'");
        };
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 5; i < parts.length; i++) {
            candidates.add(candidate(parts[i]));
        }
        try {
            return new PunchOffer(parts[1], parts[2], tieBreaker, dependent, candidates);
        } catch (IllegalArgumentException e) {
            throw new NatException("punch offer: " + e.getMessage());
        }
    }

    private static Candidate candidate(String text) throws NatException {
        String[] f = text.split(",");
        if (f.length != 4 || f[0].length() != 1) {
            throw new NatException("punch offer: bad candidate '" + text + "' (expected TYPE,IP,PORT,PRIORITY)");
        }
        Candidate.Type type = Candidate.Type.ofCode(f[0].charAt(0));
        if (type == null) {
            throw new NatException("punch offer: unknown candidate type '" + f[0] + "'");
        }
        try {
            // Built from the literal's bytes: a peer never makes this node look a name up.
            InetAddress ip = IpLiteral.parse(f[1]);
            if (f[2].isEmpty() || f[2].length() > 5 || !f[2].chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("port is not a number: " + f[2]);
            }
            int port = Integer.parseInt(f[2]);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return new Candidate(type, new InetSocketAddress(ip, port), Long.parseLong(f[3]));
        } catch (IllegalArgumentException e) {
            throw new NatException("punch offer: bad candidate '" + text + "': " + e.getMessage());
        }
    }

    private static String randomText(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
