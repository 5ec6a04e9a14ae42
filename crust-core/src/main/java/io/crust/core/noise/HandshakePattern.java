package io.crust.core.noise;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Noise handshake pattern (revision 34, section 7): the tokens each side sends in its pre-message
 * and in each handshake message. Messages alternate, the first from the initiator. The table holds the
 * one-way patterns (7.4), the fundamental interactive patterns (7.5) and the deferred patterns (7.6);
 * {@code pskN} modifiers (section 9.2) are applied by {@link #parse(String)}.
 *
 * @param name the pattern name with its modifiers, e.g. "XXpsk3"
 * @param initiatorPreMessage tokens the responder knows about the initiator beforehand ("s" or "e")
 * @param responderPreMessage tokens the initiator knows about the responder beforehand
 * @param messages the tokens of each handshake message; even indexes are sent by the initiator
 * @param oneWay true for N, K and X: only the initiator sends, also after the handshake
 * @param pskMode true if any psk modifier is present ("e" tokens then also MixKey, section 9.2)
 */
public record HandshakePattern(String name, List<Token> initiatorPreMessage, List<Token> responderPreMessage,
        List<List<Token>> messages, boolean oneWay, boolean pskMode) {

    /** The tokens of section 7.1 and 9.1. */
    public enum Token { E, S, EE, ES, SE, SS, PSK }

    // Notation: "->" initiator to responder, "<-" back; lines before "..." are pre-messages.
    private static final Map<String, String> PATTERNS = Map.ofEntries(
            Map.entry("N", "<- s; ...; -> e, es"),
            Map.entry("K", "-> s; <- s; ...; -> e, es, ss"),
            Map.entry("X", "<- s; ...; -> e, es, s, ss"),
            Map.entry("NN", "-> e; <- e, ee"),
            Map.entry("NK", "<- s; ...; -> e, es; <- e, ee"),
            Map.entry("NX", "-> e; <- e, ee, s, es"),
            Map.entry("XN", "-> e; <- e, ee; -> s, se"),
            Map.entry("XK", "<- s; ...; -> e, es; <- e, ee; -> s, se"),
            Map.entry("XX", "-> e; <- e, ee, s, es; -> s, se"),
            Map.entry("KN", "-> s; ...; -> e; <- e, ee, se"),
            Map.entry("KK", "-> s; <- s; ...; -> e, es, ss; <- e, ee, se"),
            Map.entry("KX", "-> s; ...; -> e; <- e, ee, se, s, es"),
            Map.entry("IN", "-> e, s; <- e, ee, se"),
            Map.entry("IK", "<- s; ...; -> e, es, s, ss; <- e, ee, se"),
            Map.entry("IX", "-> e, s; <- e, ee, se, s, es"),
            Map.entry("NK1", "<- s; ...; -> e; <- e, ee, es"),
            Map.entry("NX1", "-> e; <- e, ee, s; -> es"),
            Map.entry("X1N", "-> e; <- e, ee; -> s; <- se"),
            Map.entry("X1K", "<- s; ...; -> e, es; <- e, ee; -> s; <- se"),
            Map.entry("XK1", "<- s; ...; -> e; <- e, ee, es; -> s, se"),
            Map.entry("X1K1", "<- s; ...; -> e; <- e, ee, es; -> s; <- se"),
            Map.entry("X1X", "-> e; <- e, ee, s, es; -> s; <- se"),
            Map.entry("XX1", "-> e; <- e, ee, s; -> es, s, se"),
            Map.entry("X1X1", "-> e; <- e, ee, s; -> es, s; <- se"),
            Map.entry("K1N", "-> s; ...; -> e; <- e, ee; -> se"),
            Map.entry("K1K", "-> s; <- s; ...; -> e, es; <- e, ee; -> se"),
            Map.entry("KK1", "-> s; <- s; ...; -> e; <- e, ee, se, es"),
            Map.entry("K1K1", "-> s; <- s; ...; -> e; <- e, ee, es; -> se"),
            Map.entry("K1X", "-> s; ...; -> e; <- e, ee, s, es; -> se"),
            Map.entry("KX1", "-> s; ...; -> e; <- e, ee, se, s; -> es"),
            Map.entry("K1X1", "-> s; ...; -> e; <- e, ee, s; -> se, es"),
            Map.entry("I1N", "-> e, s; <- e, ee; -> se"),
            Map.entry("I1K", "<- s; ...; -> e, es, s; <- e, ee; -> se"),
            Map.entry("IK1", "<- s; ...; -> e, s; <- e, ee, se, es"),
            Map.entry("I1K1", "<- s; ...; -> e, s; <- e, ee, es; -> se"),
            Map.entry("I1X", "-> e, s; <- e, ee, s, es; -> se"),
            Map.entry("IX1", "-> e, s; <- e, ee, se, s; -> es"),
            Map.entry("I1X1", "-> e, s; <- e, ee, s; -> se, es"));

    public HandshakePattern {
        initiatorPreMessage = List.copyOf(initiatorPreMessage);
        responderPreMessage = List.copyOf(responderPreMessage);
        messages = messages.stream().map(List::copyOf).toList();
    }

    /**
     * The pattern of a name such as "XX", "XXpsk3" or "NNpsk0+psk2".
     *
     * @throws IllegalArgumentException for unknown patterns or modifiers
     */
    public static HandshakePattern parse(String name) {
        int modifierStart = 0;
        while (modifierStart < name.length() && !Character.isLowerCase(name.charAt(modifierStart))) {
            modifierStart++;
        }
        String base = name.substring(0, modifierStart);
        String notation = PATTERNS.get(base);
        if (notation == null) {
            throw new IllegalArgumentException("unsupported Noise handshake pattern: " + base);
        }
        List<Token> initiatorPre = new ArrayList<>();
        List<Token> responderPre = new ArrayList<>();
        List<List<Token>> messages = new ArrayList<>();
        boolean preMessages = notation.contains("...");
        for (String line : notation.split(";")) {
            String trimmed = line.strip();
            if (trimmed.equals("...")) {
                preMessages = false;
                continue;
            }
            boolean fromInitiator = trimmed.startsWith("->");
            List<Token> tokens = new ArrayList<>();
            for (String token : trimmed.substring(2).split(",")) {
                tokens.add(Token.valueOf(token.strip().toUpperCase(Locale.ROOT)));
            }
            if (preMessages) {
                (fromInitiator ? initiatorPre : responderPre).addAll(tokens);
            } else {
                if (fromInitiator != (messages.size() % 2 == 0)) {
                    throw new IllegalStateException("pattern table entry " + base + " does not alternate");
                }
                messages.add(tokens);
            }
        }
        boolean psk = false;
        if (modifierStart < name.length()) {
            for (String modifier : name.substring(modifierStart).split("\\+")) {
                applyModifier(name, modifier, messages);
                psk = true;
            }
        }
        return new HandshakePattern(name, initiatorPre, responderPre, messages, base.length() == 1, psk);
    }

    private static void applyModifier(String name, String modifier, List<List<Token>> messages) {
        if (!modifier.matches("psk[0-9]")) {
            throw new IllegalArgumentException("unsupported Noise pattern modifier '" + modifier + "' in " + name);
        }
        int index = modifier.charAt(3) - '0';
        // "psk0" puts a "psk" token at the beginning of the first message; "pskN" at the end of message N.
        if (index == 0) {
            messages.get(0).add(0, Token.PSK);
        } else if (index <= messages.size()) {
            messages.get(index - 1).add(Token.PSK);
        } else {
            throw new IllegalArgumentException("modifier " + modifier + " names a message " + name + " does not have");
        }
    }

    /** How many pre-shared keys the pattern uses. */
    public int pskCount() {
        return (int) messages.stream().flatMap(List::stream).filter(t -> t == Token.PSK).count();
    }
}
