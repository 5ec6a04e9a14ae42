package io.crust.nat.upnp;

import org.jupnp.UpnpServiceImpl;
import org.jupnp.model.message.IncomingDatagramMessage;
import org.jupnp.model.message.UpnpRequest;
import org.jupnp.model.message.UpnpResponse;
import org.jupnp.model.message.header.UpnpHeader;
import org.jupnp.protocol.ProtocolFactory;
import org.jupnp.protocol.ProtocolFactoryImpl;
import org.jupnp.protocol.ReceivingAsync;

/**
 * jupnp's UPnP service, accepting only SSDP search answers from Internet Gateway Devices whose
 * description URL names the very host that answered. A forged answer pointing elsewhere is refused
 * before jupnp fetches anything (and {@link HttpStreamClient} refuses any URL off the local subnets).
 */
final class ControlPointService extends UpnpServiceImpl {
    private static final String IGD = ":device:InternetGatewayDevice:";
    private final HttpStreamClient http;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

    ControlPointService(ControlPointConfiguration configuration, HttpStreamClient http) {
        super(configuration);
        this.http = http;
    }

    @Override
    protected ProtocolFactory createProtocolFactory() {
        return new ProtocolFactoryImpl(this) {
            @Override
            protected ReceivingAsync<?> createReceivingSearchResponse(IncomingDatagramMessage<UpnpResponse> answer) {
                String st = answer.getHeaders().getFirstHeaderString(UpnpHeader.Type.ST);
                if (st == null || !st.contains(IGD)) {
                    return null;
                }
                String problem = locationProblem(answer.getHeaders().getFirstHeaderString(UpnpHeader.Type.LOCATION),
                        answer.getSourceAddress().getHostAddress());
                if (problem != null) {
                    http.report(problem);
                    return null;
                }
                accepted.incrementAndGet();
                return super.createReceivingSearchResponse(answer);
            }

            @Override
            protected ReceivingAsync<?> createReceivingNotification(IncomingDatagramMessage<UpnpRequest> notify) {
                return null; // only our own searches' answers
            }

            @Override
            protected ReceivingAsync<?> createReceivingSearch(IncomingDatagramMessage<UpnpRequest> search) {
                return null; // we are no device
            }
        };
    }

    /** How many search answers were passed to jupnp (each makes it fetch descriptions, unless known). */
    int acceptedAnswers() {
        return accepted.get();
    }

    /** Why a search answer's LOCATION must not be fetched, or null when it may. */
    static String locationProblem(String location, String from) {
        if (location == null) {
            return "SSDP answer from " + from + " has no LOCATION";
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(location.trim());
        } catch (java.net.URISyntaxException e) {
            return "refused description URL " + location + ": not a URL";
        }
        String host = uri.getHost();
        if (host == null || !host.replace("[", "").replace("]", "").equals(from)) {
            return "refused description URL " + location + ": its host is not the answering device " + from;
        }
        return HttpStreamClient.refusal(uri);
    }
}
