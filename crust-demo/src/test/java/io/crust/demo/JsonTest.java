package io.crust.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one JSON style of every demo tool. */
class JsonTest {

    @Test
    void anObjectIsOneLineWithItsFieldsInTheOrderTheyWereAdded() {
        String line = Json.object().put("event", "file-sent").put("bytes", 10L).put("rttMillis", 1.5)
                .put("peers", List.of("a", "b")).put("note", "two\nlines \"quoted\"").toString();

        assertThat(line).isEqualTo("{\"event\":\"file-sent\",\"bytes\":10,\"rttMillis\":1.5,\"peers\":[\"a\",\"b\"],"
                + "\"note\":\"two\\nlines \\\"quoted\\\"\"}");
    }

    @Test
    void keysInAnyStyleButLowerCamelCaseAreRefused() {
        for (String key : List.of("file-sent", "local_port", "LocalPort", "", "1st")) {
            assertThatThrownBy(() -> Json.object().put(key, 1)).as(key).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void nestedMapsAreWrittenAsObjects() {
        assertThat(Json.object().put("peer", Map.of("route", "direct")).toString())
                .isEqualTo("{\"peer\":{\"route\":\"direct\"}}");
    }
}
