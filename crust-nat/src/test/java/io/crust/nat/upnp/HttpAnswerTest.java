package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.gateway.MalformedReplyException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpAnswerTest {
    private static final int HEAD = 256;
    private static final int BODY = 64;

    @Test
    void aBodyIsFramedByContentLength() throws Exception {
        HttpAnswer a = read("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\nhelloEXTRA");
        assertThat(a.status()).isEqualTo(200);
        assertThat(text(a)).isEqualTo("hello");
    }

    @Test
    void aChunkedBodyIsJoinedAndItsTrailerSkipped() throws Exception {
        HttpAnswer a = read("HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nTrailer: x\r\n\r\n");
        assertThat(a.status()).isEqualTo(500);
        assertThat(text(a)).isEqualTo("hello, chunked!");
    }

    @Test
    void withoutFramingTheBodyRunsToTheEndOfTheConnection() throws Exception {
        assertThat(text(read("HTTP/1.0 200 OK\r\n\r\nto the end"))).isEqualTo("to the end");
    }

    @Test
    void interimAnswersAreSkippedUpToALimit() throws Exception {
        HttpAnswer a = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(a.status()).isEqualTo(200);
        assertThat(text(a)).isEqualTo("ok");
        assertThatThrownBy(() -> read("HTTP/1.1 100 Continue\r\n\r\n".repeat(HttpAnswer.MAX_INTERIM_ANSWERS + 1)
                + "HTTP/1.1 200 OK\r\n\r\n")).isInstanceOf(MalformedReplyException.class).hasMessageContaining("interim");
    }

    @Test
    void aTransferCodingOtherThanChunkedRunsToTheEndAndOverridesContentLength() throws Exception {
        assertThat(text(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nto the end")))
                .isEqualTo("to the end");
    }

    @Test
    void twoDifferentContentLengthsAreMalformedAndTwoEqualOnesAreNot() throws Exception {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("two different Content-Length");
        assertThat(text(read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab"))).isEqualTo("ab");
    }

    @Test
    void bareLineFeedsEndLinesInTheHeadAndInChunks() throws Exception {
        assertThat(text(read("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n"))).isEqualTo("ok");
    }

    @Test
    void chunkTrailersCountAgainstTheHeadsLimit() {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + "T: x\r\n".repeat(60) + "\r\n"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("longer than the limit");
    }

    @Test
    void aBodyOrHeadOverItsLimitIsRefusedBeforeItIsKept() {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + "x".repeat(65)))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("over 64");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n" + "x".repeat(65) + "\r\n0\r\n\r\n"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("over 64");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(65)))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("over 64");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nX: " + "y".repeat(300) + "\r\n\r\n"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("longer than the limit");
    }

    @Test
    void brokenStatusLinesHeadersAndFramingAreMalformed() {
        assertThatThrownBy(() -> read("SSH-2.0-OpenSSH\r\n\r\n")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("status line");
        assertThatThrownBy(() -> read("HTTP/1.1 2000 OK\r\n\r\n")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("100..599");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nno colon\r\n\r\n")).isInstanceOf(MalformedReplyException.class);
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")).isInstanceOf(MalformedReplyException.class);
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("5 of 10");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).isInstanceOf(MalformedReplyException.class);
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-")).isInstanceOf(MalformedReplyException.class)
                .hasMessageContaining("ended within its head");
    }

    private static HttpAnswer read(String answer) throws IOException {
        return HttpAnswer.read(new ByteArrayInputStream(answer.getBytes(StandardCharsets.ISO_8859_1)), HEAD, BODY);
    }

    private static String text(HttpAnswer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }
}
