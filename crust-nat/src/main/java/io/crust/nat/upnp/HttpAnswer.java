package io.crust.nat.upnp;

import io.crust.nat.gateway.MalformedReplyException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.1 answer read from a stream (RFC 9112): interim 1xx answers skipped, then the status line, the
 * headers, and a body framed by {@code Transfer-Encoding: chunked}, by {@code Content-Length}, or by the end
 * of the connection (section 6.3). Lines end in CR LF, or a bare LF, which section 2.2 lets a recipient
 * accept. The head (with any chunk trailers) and the body each have a size limit, checked before anything is
 * kept, so a hostile or broken IGD cannot make the reader hold more than the limits.
 *
 * @param status the final status code, 200..599
 * @param body   the body, decoded from chunks when chunked
 */
record HttpAnswer(int status, byte[] body) {
    /** Interim answers (100 Continue, 102 Processing) skipped before the final one; more is an error. */
    static final int MAX_INTERIM_ANSWERS = 4;

    /**
     * Reads one answer.
     *
     * @throws MalformedReplyException when the answer is not HTTP/1.x, a limit is passed, or a framing is broken
     * @throws IOException             when the stream fails (a {@link java.net.SocketTimeoutException} on a timeout)
     */
    static HttpAnswer read(InputStream in, int maxHeadBytes, int maxBodyBytes) throws IOException {
        int[] headBudget = {maxHeadBytes};
        for (int interim = 0; ; interim++) {
            List<String> head = lines(in, headBudget);
            int status = status(head.get(0));
            if (status >= 200) {
                return new HttpAnswer(status, body(in, head, headBudget, maxBodyBytes));
            }
            if (interim == MAX_INTERIM_ANSWERS) {
                throw new MalformedReplyException("more than " + MAX_INTERIM_ANSWERS + " interim HTTP answers");
            }
        }
    }

    private static int status(String statusLine) throws MalformedReplyException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new MalformedReplyException("not an HTTP/1.x status line: " + MalformedReplyException.shown(statusLine));
        }
        try {
            int status = Integer.parseInt(parts[1]);
            if (status >= 100 && status <= 599 && parts[1].length() == 3) {
                return status;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MalformedReplyException("HTTP status '" + MalformedReplyException.shown(parts[1]) + "' is not 100..599");
    }

    private static byte[] body(InputStream in, List<String> head, int[] headBudget, int maxBodyBytes) throws IOException {
        long contentLength = -1;
        String transferEncoding = null;
        for (String line : head.subList(1, head.size())) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedReplyException("HTTP header line without a name: " + MalformedReplyException.shown(line));
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                long length = number(value, 10, "Content-Length");
                if (contentLength >= 0 && length != contentLength) {
                    throw new MalformedReplyException("two different Content-Length headers");
                }
                contentLength = length;
            } else if (name.equals("transfer-encoding")) {
                transferEncoding = value.toLowerCase(Locale.ROOT);
            }
        }
        if (transferEncoding != null) {
            // section 6.3: chunked last means chunked; any other coding runs to the end of the connection
            return transferEncoding.endsWith("chunked") ? chunks(in, headBudget, maxBodyBytes) : upTo(in, maxBodyBytes);
        }
        if (contentLength < 0) {
            return upTo(in, maxBodyBytes);
        }
        if (contentLength > maxBodyBytes) {
            throw new MalformedReplyException("HTTP body of " + contentLength + " bytes is over " + maxBodyBytes);
        }
        byte[] body = in.readNBytes((int) contentLength);
        if (body.length < contentLength) {
            throw new MalformedReplyException("HTTP body ended after " + body.length + " of " + contentLength + " bytes");
        }
        return body;
    }

    /** A chunked body (section 7.1): hex size lines, each chunk followed by a line end, ended by size 0 and trailers. */
    private static byte[] chunks(InputStream in, int[] headBudget, int maxBodyBytes) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in, headBudget);
            int semicolon = sizeLine.indexOf(';');
            long size = number(semicolon < 0 ? sizeLine.trim() : sizeLine.substring(0, semicolon).trim(), 16, "chunk size");
            if (size == 0) {
                while (!line(in, headBudget).isEmpty()) {
                    // trailer fields, not used; they count against the head's budget
                }
                return body.toByteArray();
            }
            if (size > maxBodyBytes - body.size()) {
                throw new MalformedReplyException("chunked HTTP body is over " + maxBodyBytes + " bytes");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) {
                throw new MalformedReplyException("HTTP chunk ended after " + chunk.length + " of " + size + " bytes");
            }
            body.write(chunk);
            if (!line(in, headBudget).isEmpty()) {
                throw new MalformedReplyException("HTTP chunk not followed by a line end");
            }
        }
    }

    /** Lines up to the first empty one (not included); at least one. */
    private static List<String> lines(InputStream in, int[] budget) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line(in, budget);
            if (line.isEmpty()) {
                if (lines.isEmpty()) {
                    throw new MalformedReplyException("HTTP answer starts with an empty line");
                }
                return lines;
            }
            lines.add(line);
        }
    }

    /** A line without its end (CR LF or LF); every byte read counts against {@code budget[0]}. */
    private static String line(InputStream in, int[] budget) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new MalformedReplyException("HTTP answer ended within its head or a chunk line");
            }
            if (--budget[0] < 0) {
                throw new MalformedReplyException("HTTP headers and chunk lines longer than the limit");
            }
            if (b == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                return line.substring(0, end);
            }
            line.append((char) b);
        }
    }

    /** The rest of the stream, at most {@code max} bytes. */
    private static byte[] upTo(InputStream in, int max) throws IOException {
        byte[] body = in.readNBytes(max + 1);
        if (body.length > max) {
            throw new MalformedReplyException("HTTP body is over " + max + " bytes");
        }
        return body;
    }

    private static long number(String text, int radix, String what) throws MalformedReplyException {
        if (text.isEmpty() || text.length() > 8) {
            throw new MalformedReplyException(what + " '" + MalformedReplyException.shown(text) + "' is not a number of up to 8 digits");
        }
        try {
            long value = Long.parseLong(text, radix);
            if (value < 0 || text.charAt(0) == '+') {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new MalformedReplyException(what + " '" + MalformedReplyException.shown(text) + "' is not a number");
        }
    }
}
