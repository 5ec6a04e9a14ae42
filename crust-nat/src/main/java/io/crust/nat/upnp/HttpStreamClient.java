package io.crust.nat.upnp;

import io.crust.nat.IpLiteral;
import io.crust.nat.gateway.AddressKinds;
import io.crust.nat.log.RateLimitedLog;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jupnp.model.message.StreamRequestMessage;
import org.jupnp.model.message.StreamResponseMessage;
import org.jupnp.model.message.UpnpHeaders;
import org.jupnp.model.message.UpnpMessage;
import org.jupnp.model.message.UpnpResponse;
import org.jupnp.transport.spi.StreamClient;
import org.jupnp.transport.spi.StreamClientConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jupnp's HTTP client SPI on {@link HttpClient}: every description, SCPD and SOAP request jupnp makes goes
 * through {@link #sendRequest}. HTTP/1.1, no proxy, no redirects; each exchange (connect, headers and body)
 * bounded by the HTTP timeout and the body by a size limit.
 *
 * <p>Trust: a URL whose host is not an address on one of this host's subnets is refused before any
 * connection, so a forged SSDP answer or description cannot make jupnp send HTTP off the LAN. Refusals and
 * failures are kept as readable problems: jupnp reports a failed fetch only as "no response", and the
 * session's errors quote these instead.
 */
final class HttpStreamClient implements StreamClient<StreamClientConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpStreamClient.class);
    static final int MAX_KEPT_PROBLEMS = 16;
    /** Anything on the LAN can send SSDP answers that are refused. */
    private static final RateLimitedLog PROBLEM_LOG = new RateLimitedLog(LOG);
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Headers java.net.http sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final HttpClient http;
    private final Duration timeout;
    /** The first problems, kept for the error message; anything on the LAN can add more, so it is bounded. */
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicLong problemCount = new AtomicLong();
    private final ThreadLocal<String> lastProblem = new ThreadLocal<>();
    private final ThreadLocal<byte[]> lastBody = new ThreadLocal<>();
    private final ThreadLocal<String> lastNote = new ThreadLocal<>();
    private final StreamClientConfiguration configuration;

    HttpStreamClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(ProxySelector.of(null))
                .build();
        int seconds = (int) Math.max(1, timeout.toSeconds());
        this.configuration = new StreamClientConfiguration() {
            @Override
            public ExecutorService getRequestExecutorService() {
                return null; // requests run on the caller's thread
            }

            @Override
            public int getTimeoutSeconds() {
                return seconds;
            }

            @Override
            public int getRetryIterations() {
                return 0;
            }

            @Override
            public int getLogWarningSeconds() {
                return seconds;
            }

            @Override
            public int getRetryAfterSeconds() {
                return 0;
            }

            @Override
            public String getUserAgentValue(int majorVersion, int minorVersion) {
                return "crust UPnP/" + majorVersion + "." + minorVersion;
            }
        };
    }

    @Override
    public StreamResponseMessage sendRequest(StreamRequestMessage message) throws InterruptedException {
        lastProblem.remove();
        lastBody.remove();
        lastNote.remove();
        URI uri = message.getUri();
        String method = message.getOperation().getHttpMethodName();
        String refusal = refusal(uri);
        if (refusal != null) {
            return fail(refusal);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
        for (Map.Entry<String, List<String>> header : message.getHeaders().entrySet()) {
            if (!RESTRICTED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                for (String value : header.getValue()) {
                    request.header(header.getKey(), value);
                }
            }
        }
        byte[] body = message.hasBody() ? message.getBodyBytes() : null;
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String what = method + " " + uri;
        CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(request.build(), info -> new LimitedBody(MAX_BODY_BYTES));
        try {
            HttpResponse<byte[]> response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            lastBody.set(response.body());
            return toJupnp(response);
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (TimeoutException e) {
            pending.cancel(true);
            return fail(what + " got no complete answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException) {
                // The request's own timeout (until the headers) and the wait above (until the whole body)
                // are equal, so either may fire first on a silent gateway: one outcome, one message.
                return fail(what + " got no complete answer within " + timeout.toMillis() + " ms");
            }
            return fail(what + " failed: " + cause);
        }
    }

    /** Why jupnp must not contact this URL, or null when it may. */
    static String refusal(URI uri) {
        String host = uri.getHost();
        if (host == null || !"http".equalsIgnoreCase(uri.getScheme())) {
            return "refused description URL " + uri + ": not an http URL with a host";
        }
        boolean bracketed = host.length() >= 2 && host.startsWith("[") && host.endsWith("]");
        String literal = bracketed ? host.substring(1, host.length() - 1) : host;
        InetAddress address;
        try {
            // From the gateway's SSDP reply: built from the literal's bytes, never looked up.
            address = IpLiteral.parse(literal);
        } catch (IllegalArgumentException e) {
            return "refused description URL " + uri + ": " + host + " is not a local IP address";
        }
        if (!AddressKinds.isOnLocalSubnet(address)) {
            return "refused description URL " + uri + ": " + host + " is not on a local subnet";
        }
        return null;
    }

    private static StreamResponseMessage toJupnp(HttpResponse<byte[]> response) {
        return toJupnp(response.statusCode(), response.headers().map(), response.body());
    }

    /** An HTTP answer as jupnp's message: what its SOAP and description readers are given. */
    static StreamResponseMessage toJupnp(int status, Map<String, List<String>> headers, byte[] body) {
        StreamResponseMessage reply = new StreamResponseMessage(new UpnpResponse(status, ""));
        reply.setHeaders(new UpnpHeaders(headers));
        if (body.length > 0) {
            if (reply.isContentTypeMissingOrText()) {
                reply.setBodyCharacters(body);
            } else {
                reply.setBody(UpnpMessage.BodyType.BYTES, body);
            }
        }
        return reply;
    }

    private StreamResponseMessage fail(String problem) {
        LOG.debug("UPnP HTTP: {}", problem);
        keep(problem);
        lastProblem.set(problem);
        return null;
    }

    /** The first {@value #MAX_KEPT_PROBLEMS} refusals and failures, oldest first. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** How many refusals and failures there were in all. */
    long problemCount() {
        return problemCount.get();
    }

    private void keep(String problem) {
        if (problemCount.getAndIncrement() < MAX_KEPT_PROBLEMS) {
            problems.add(problem);
        }
    }

    /** Why the last request made on this thread got no answer, or null. */
    String lastProblemOnThisThread() {
        return lastProblem.get();
    }

    /** The start of the last answer's body on this thread (for error messages), or "". */
    String lastBodyExcerptOnThisThread() {
        byte[] body = lastBody.get();
        if (body == null) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, 400), java.nio.charset.StandardCharsets.UTF_8);
        return text.replaceAll("[^\\x20-\\x7e]", " ");
    }

    /** Why jupnp could not read the last answer on this thread, or null. */
    String lastNoteOnThisThread() {
        return lastNote.get();
    }

    void noteOnThisThread(String note) {
        lastNote.set(note);
    }

    /** Records a problem found outside HTTP (an SSDP answer refused before any request). */
    void report(String problem) {
        PROBLEM_LOG.warn("UPnP: {}", problem);
        keep(problem);
    }

    @Override
    public void stop() {
        http.close();
    }

    @Override
    public StreamClientConfiguration getConfiguration() {
        return configuration;
    }
}
