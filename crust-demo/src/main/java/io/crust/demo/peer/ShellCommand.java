package io.crust.demo.peer;

import java.util.List;
import java.util.Locale;

/**
 * One line typed at the peer shell (or written to its standard input in {@code --json} mode), parsed.
 * {@link #parse} never throws anything but {@link UsageException}, whose message is fit to show a user.
 */
sealed interface ShellCommand {

    /** {@code help}: lists the commands. */
    record Help() implements ShellCommand {
    }

    /** {@code id}: prints this peer's id and addresses. */
    record Id() implements ShellCommand {
    }

    /** {@code peers}: lists connected peers. */
    record Peers() implements ShellCommand {
    }

    /** {@code connect PEERID} or {@code connect HOST:PORT}. */
    record Connect(String target) implements ShellCommand {
    }

    /** {@code send PEER TEXT...}: the text is the rest of the line, spaces kept. */
    record Send(String peer, String text) implements ShellCommand {
    }

    /** {@code sendfile PEER PATH}: the path is the rest of the line, spaces kept. */
    record SendFile(String peer, String path) implements ShellCommand {
    }

    /** {@code drop PEER}. */
    record Drop(String peer) implements ShellCommand {
    }

    /** {@code ban PEERID|IP|CIDR}. */
    record Ban(String target) implements ShellCommand {
    }

    /** {@code quit} (also {@code exit}, or the end of the input). */
    record Quit() implements ShellCommand {
    }

    /** A line that is empty or a comment ({@code #}): nothing to do. */
    record Nothing() implements ShellCommand {
    }

    /** A line that is not a valid command; the message says why and what to type. */
    final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The commands and their arguments, as {@code help} shows them. */
    List<String> USAGE = List.of(
            "id                      show this peer's id and addresses",
            "peers                   list connected peers",
            "connect PEERID          connect to a peer by id (through a peer both know)",
            "connect HOST:PORT       connect to an address",
            "send PEER TEXT...       send a text message",
            "sendfile PEER PATH      send a file (it arrives under the receiver's data directory)",
            "drop PEER               close the connection to a peer",
            "ban PEERID|IP|CIDR      drop matching peers and refuse them from now on",
            "help                    show this list",
            "quit                    stop the peer (Ctrl-C or Ctrl-D work too)",
            "PEER is a peer id, or a unique prefix of the id of a connected peer (at least 4 characters).");

    /**
     * Parses one line.
     *
     * @throws UsageException for an unknown command or missing arguments
     */
    static ShellCommand parse(String line) throws UsageException {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return new Nothing();
        }
        String[] words = trimmed.split("\\s+", 3);
        String verb = words[0].toLowerCase(Locale.ROOT);
        return switch (verb) {
            case "help", "?" -> noArguments(words, new Help());
            case "id" -> noArguments(words, new Id());
            case "peers" -> noArguments(words, new Peers());
            case "quit", "exit" -> noArguments(words, new Quit());
            case "connect" -> new Connect(single(words, "connect PEERID or connect HOST:PORT"));
            case "drop" -> new Drop(single(words, "drop PEER"));
            case "ban" -> new Ban(single(words, "ban PEERID|IP|CIDR"));
            case "send" -> {
                requireTwo(words, "send PEER TEXT...");
                yield new Send(words[1], words[2]);
            }
            case "sendfile" -> {
                requireTwo(words, "sendfile PEER PATH");
                yield new SendFile(words[1], words[2]);
            }
            default -> throw new UsageException("unknown command '" + abbreviate(words[0]) + "'"
                    + suggestion(verb) + "; type help for the list");
        };
    }

    private static ShellCommand noArguments(String[] words, ShellCommand command) throws UsageException {
        if (words.length > 1) {
            throw new UsageException(words[0] + " takes no arguments");
        }
        return command;
    }

    private static String single(String[] words, String usage) throws UsageException {
        if (words.length != 2) {
            throw new UsageException("usage: " + usage);
        }
        return words[1];
    }

    private static void requireTwo(String[] words, String usage) throws UsageException {
        if (words.length != 3) {
            throw new UsageException("usage: " + usage);
        }
    }

    /** " (did you mean send?)" for a near miss such as {@code sned}, else "". */
    private static String suggestion(String verb) {
        for (String known : List.of("help", "id", "peers", "connect", "send", "sendfile", "drop", "ban", "quit")) {
            if (closeEnough(verb, known)) {
                return " (did you mean " + known + "?)";
            }
        }
        return "";
    }

    /** True if the words differ by one edit or one swap of neighbours. */
    private static boolean closeEnough(String a, String b) {
        if (a.equals(b) || Math.abs(a.length() - b.length()) > 1 || a.length() < 2) {
            return false;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()] == 1;
    }

    private static String abbreviate(String s) {
        return s.length() <= 20 ? s : s.substring(0, 17) + "...";
    }
}
