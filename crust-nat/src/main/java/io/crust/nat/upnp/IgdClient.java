package io.crust.nat.upnp;

import io.crust.nat.NatException;
import io.crust.nat.gateway.MalformedPacketException;
import io.crust.nat.upnp.IgdDescription.WanService;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP to the IGD: the description GET and SOAP POSTs, on {@link HttpClient} (HTTP/1.1, no proxy, no
 * redirects), each bounded by the HTTP timeout and by a body size limit. Owns the client's selector thread:
 * {@link #close()} stops it.
 */
final class IgdClient implements AutoCloseable {
    private final HttpClient http;
    private final Duration timeout;

    IgdClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(ProxySelector.of(null))
                .build();
    }

    byte[] get(URI uri, int maxBytes) throws NatException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        Reply reply = send(request, maxBytes);
        if (reply.status() != 200) {
            throw new NatException("GET " + uri + " answered HTTP " + reply.status());
        }
        return reply.body();
    }

    /** Calls a SOAP action; out arguments by name. */
    Map<String, String> call(WanService service, String action, Map<String, String> arguments) throws NatException {
        HttpRequest request = HttpRequest.newBuilder(service.controlUrl())
                .timeout(timeout)
                .header("Content-Type", "text/xml; charset=\"utf-8\"")
                .header("SOAPAction", SoapMessages.soapAction(service.serviceType(), action))
                .POST(HttpRequest.BodyPublishers.ofByteArray(SoapMessages.request(service.serviceType(), action, arguments)))
                .build();
        Reply reply = send(request, SoapMessages.MAX_RESPONSE_BYTES);
        if (reply.status() != 200 && reply.status() != 500) {
            throw new NatException(action + " at " + service.controlUrl() + " answered HTTP " + reply.status());
        }
        try {
            return SoapMessages.response(action, reply.body());
        } catch (MalformedPacketException e) {
            throw new MalformedPacketException(action + " answer (HTTP " + reply.status() + ") is malformed: " + e.getMessage(), e);
        }
    }

    private record Reply(int status, byte[] body) {
    }

    /** Sends and reads the whole answer within the timeout (headers and body), up to {@code maxBytes}. */
    private Reply send(HttpRequest request, int maxBytes) throws NatException {
        String what = request.method() + " " + request.uri();
        CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(request, info -> new LimitedBody(maxBytes));
        try {
            HttpResponse<byte[]> response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Reply(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new NatException("interrupted during " + what, e);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new NatException(what + " got no complete answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new NatException(what + " failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
