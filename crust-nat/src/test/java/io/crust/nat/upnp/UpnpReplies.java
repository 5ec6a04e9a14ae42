package io.crust.nat.upnp;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.URI;
import org.jupnp.model.UnsupportedDataException;
import org.jupnp.model.ValidationException;
import org.jupnp.model.action.ActionInvocation;
import org.jupnp.model.message.IncomingDatagramMessage;
import org.jupnp.model.message.StreamResponseMessage;
import org.jupnp.model.message.UpnpResponse;
import org.jupnp.model.message.control.IncomingActionResponseMessage;
import org.jupnp.model.message.header.UpnpHeader;
import org.jupnp.model.meta.Action;
import org.jupnp.model.meta.ActionArgument;
import org.jupnp.model.meta.RemoteService;
import org.jupnp.model.meta.StateVariable;
import org.jupnp.model.meta.StateVariableTypeDetails;
import org.jupnp.model.types.Datatype;
import org.jupnp.model.types.ServiceId;
import org.jupnp.model.types.ServiceType;
import org.jupnp.transport.impl.DatagramProcessorImpl;

/**
 * The UPnP reply parsers crust-nat runs on what a gateway (or anything on the LAN) sends, opened to
 * the fuzz tests in {@code io.crust.nat.fuzz}: an SSDP search answer read by jupnp and then checked
 * by {@link ControlPointService#locationProblem}, and a SOAP action answer read by
 * {@link SoapAnswerReader}.
 */
public final class UpnpReplies {
    private static final DatagramProcessorImpl SSDP = new DatagramProcessorImpl();
    private static final SoapAnswerReader SOAP = new SoapAnswerReader(note -> { });
    private static final RemoteService WAN_IP = wanIpService();

    private UpnpReplies() {
    }

    /**
     * Reads one datagram as an SSDP answer from {@code from}; returns why its LOCATION is refused,
     * null when it would be fetched, or "not an answer".
     *
     * @throws UnsupportedDataException when jupnp cannot read the datagram (its documented refusal)
     */
    public static String ssdpAnswer(byte[] datagram, InetAddress from) {
        IncomingDatagramMessage<?> message = SSDP.read(from, new DatagramPacket(datagram, datagram.length, from, 1900));
        if (!(message.getOperation() instanceof UpnpResponse)) {
            return "not an answer";
        }
        return ControlPointService.locationProblem(message.getHeaders().getFirstHeaderString(UpnpHeader.Type.LOCATION),
                from.getHostAddress());
    }

    /**
     * Reads {@code body} (the HTTP body bytes) as the SOAP answer to {@code action} (GetExternalIPAddress or AddAnyPortMapping
     * of WANIPConnection:1); returns the invocation with its outputs or its failure.
     *
     * @throws UnsupportedDataException when the body is not a readable answer (the documented refusal)
     */
    public static ActionInvocation<RemoteService> soapAnswer(String action, int status, byte[] body) {
        // Built as HttpStreamClient hands jupnp a real answer (text/xml, as miniupnpd sends it).
        StreamResponseMessage response = HttpStreamClient.toJupnp(status,
                java.util.Map.of("Content-Type", java.util.List.of("text/xml; charset=\"utf-8\"")), body);
        ActionInvocation<RemoteService> invocation = new ActionInvocation<>(WAN_IP.getAction(action));
        SOAP.readBody(new IncomingActionResponseMessage(response), invocation);
        return invocation;
    }

    /**
     * Reads a whole HTTP answer to AddPinhole as {@code FirewallControl} does: its UniqueID.
     *
     * @throws io.crust.nat.NatException when the answer is a fault or malformed (the documented refusals)
     */
    public static String firewallAnswer(byte[] httpAnswer) throws java.io.IOException {
        HttpAnswer answer = HttpAnswer.read(new java.io.ByteArrayInputStream(httpAnswer), FirewallControl.MAX_HEAD_BYTES,
                HttpStreamClient.MAX_BODY_BYTES);
        return FirewallControl.answer("AddPinhole", answer.status(), answer.body(), "UniqueID");
    }

    @SuppressWarnings("unchecked")
    private static RemoteService wanIpService() {
        try {
            Action<RemoteService> external = new Action<>("GetExternalIPAddress", new ActionArgument[] {
                    new ActionArgument<RemoteService>("NewExternalIPAddress", "ExternalIPAddress", ActionArgument.Direction.OUT)});
            // Declared under another name than the NewReservedPort a gateway sends: ReservedPortAnswer's case.
            Action<RemoteService> addAny = new Action<>("AddAnyPortMapping", new ActionArgument[] {
                    new ActionArgument<RemoteService>("NewExternalPort", "ExternalPort", ActionArgument.Direction.IN),
                    new ActionArgument<RemoteService>("NewReservedPortOut", "ExternalPort", ActionArgument.Direction.OUT)});
            StateVariable<RemoteService> ip = new StateVariable<>("ExternalIPAddress",
                    new StateVariableTypeDetails(Datatype.Builtin.STRING.getDatatype()));
            StateVariable<RemoteService> port = new StateVariable<>("ExternalPort",
                    new StateVariableTypeDetails(Datatype.Builtin.UI2.getDatatype()));
            return new RemoteService(ServiceType.valueOf("urn:schemas-upnp-org:service:WANIPConnection:1"),
                    ServiceId.valueOf("urn:upnp-org:serviceId:WANIPConn1"), URI.create("/scpd.xml"), URI.create("/ctl"),
                    URI.create("/evt"), new Action[] {external, addAny}, new StateVariable[] {ip, port});
        } catch (ValidationException e) {
            throw new IllegalStateException(e);
        }
    }
}
