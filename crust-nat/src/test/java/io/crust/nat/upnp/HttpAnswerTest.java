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
    void aBodyOrHeadOverItsLimitIsRefusedBeforeItIsKept() {
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + "x".repeat(65)))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("over 64");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n" + "x".repeat(65) + "\r\n0\r\n\r\n"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("over 64");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(65)))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("over 64");
        assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nX: " + "y".repeat(300) + "\r\n\r\n"))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("headers longer than 256");
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
                .hasMessageContaining("within its headers");
    }

    private static HttpAnswer read(String answer) throws IOException {
        return HttpAnswer.read(new ByteArrayInputStream(answer.getBytes(StandardCharsets.ISO_8859_1)), HEAD, BODY);
    }

    private static String text(HttpAnswer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }
}
