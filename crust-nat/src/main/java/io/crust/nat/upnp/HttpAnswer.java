package io.crust.nat.upnp;

import io.crust.nat.gateway.MalformedReplyException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 answer read from a stream (RFC 9112): the status line, the headers, and a body framed by
 * {@code Transfer-Encoding: chunked}, by {@code Content-Length}, or by the end of the connection. The head
 * and the body each have a size limit, checked before anything is kept, so a hostile or broken IGD cannot
 * make the reader hold more than the limits.
 *
 * @param status the status code, 100..599
 * @param body   the body, decoded from chunks when chunked
 */
record HttpAnswer(int status, byte[] body) {

    /**
     * Reads one answer.
     *
     * @throws MalformedReplyException when the answer is not HTTP/1.x, a limit is passed, or a framing is broken
     * @throws IOException             when the stream fails (a {@link java.net.SocketTimeoutException} on a timeout)
     */
    static HttpAnswer read(InputStream in, int maxHeadBytes, int maxBodyBytes) throws IOException {
        String head = readHead(in, maxHeadBytes);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new MalformedReplyException("not an HTTP/1.x status line: " + shown(lines[0]));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            status = -1;
        }
        if (status < 100 || status > 599) {
            throw new MalformedReplyException("HTTP status '" + shown(statusLine[1]) + "' is not 100..599");
        }
        long contentLength = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new MalformedReplyException("HTTP header line without a name: " + shown(lines[i]));
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                contentLength = number(value, 10, "Content-Length");
            } else if (name.equals("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
            }
        }
        byte[] body;
        if (chunked) {
            body = chunks(in, maxBodyBytes);
        } else if (contentLength >= 0) {
            if (contentLength > maxBodyBytes) {
                throw new MalformedReplyException("HTTP body of " + contentLength + " bytes is over " + maxBodyBytes);
            }
            body = in.readNBytes((int) contentLength);
            if (body.length < contentLength) {
                throw new MalformedReplyException("HTTP body ended after " + body.length + " of " + contentLength + " bytes");
            }
        } else {
            body = upTo(in, maxBodyBytes);
        }
        return new HttpAnswer(status, body);
    }

    /** The status line and headers, without the blank line that ends them. */
    private static String readHead(InputStream in, int maxHeadBytes) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0; // how much of CR LF CR LF has just been read
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new MalformedReplyException("HTTP answer ended within its headers");
            }
            if (head.size() >= maxHeadBytes) {
                throw new MalformedReplyException("HTTP headers longer than " + maxHeadBytes + " bytes");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    /** A chunked body (RFC 9112 section 7.1): hex size lines, each chunk followed by CR LF, ended by size 0. */
    private static byte[] chunks(InputStream in, int maxBodyBytes) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            long size = number(semicolon < 0 ? sizeLine.trim() : sizeLine.substring(0, semicolon).trim(), 16, "chunk size");
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailer fields, not used
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
            if (!line(in).isEmpty()) {
                throw new MalformedReplyException("HTTP chunk not followed by CR LF");
            }
        }
    }

    /** A line ended by CR LF (or LF), at most 1,024 bytes. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new MalformedReplyException("HTTP answer ended within a chunk line");
            }
            if (b == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                return line.substring(0, end);
            }
            if (line.length() >= 1024) {
                throw new MalformedReplyException("HTTP chunk line longer than 1024 bytes");
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
            throw new MalformedReplyException(what + " '" + shown(text) + "' is not a number of up to 8 digits");
        }
        try {
            long value = Long.parseLong(text, radix);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new MalformedReplyException(what + " '" + shown(text) + "' is not a number");
        }
    }

    private static String shown(String text) {
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 64 ? oneLine : oneLine.substring(0, 64) + "...";
    }
}
