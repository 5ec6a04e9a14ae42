package io.crust.nat.upnp;

import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.MalformedReplyException;
import java.util.Map;
import org.jupnp.controlpoint.ActionCallback;
import org.jupnp.controlpoint.ControlPoint;
import org.jupnp.model.action.ActionArgumentValue;
import org.jupnp.model.action.ActionException;
import org.jupnp.model.action.ActionInvocation;
import org.jupnp.model.meta.Action;
import org.jupnp.model.meta.RemoteService;
import org.jupnp.model.message.UpnpResponse;
import org.jupnp.model.types.UnsignedIntegerFourBytes;
import org.jupnp.model.types.UnsignedIntegerTwoBytes;
import org.jupnp.support.igd.callback.GetExternalIP;
import org.jupnp.support.igd.callback.PortMappingAdd;
import org.jupnp.support.igd.callback.PortMappingDelete;
import org.jupnp.support.model.PortMapping;

/**
 * The WAN connection service's actions, run through jupnp on the caller's thread: jupnp builds the SOAP
 * request from the service description, {@link HttpStreamClient} carries it (bounded by the HTTP timeout),
 * jupnp parses the answer or the UPnPError. jupnp-support's IGD callbacks are used for GetExternalIPAddress,
 * AddPortMapping and DeletePortMapping; AddAnyPortMapping (IGD:2) and GetSpecificPortMappingEntry, which it
 * lacks, are invoked by name. Failures become {@link UpnpActionException} (a UPnPError code) or
 * {@link NatException} with the transport problem.
 */
final class IgdActions {
    private final ControlPoint controlPoint;
    private final HttpStreamClient http;
    private final RemoteService service;

    IgdActions(ControlPoint controlPoint, HttpStreamClient http, RemoteService service) {
        this.controlPoint = controlPoint;
        this.http = http;
        this.service = service;
    }

    /** IGD:2 WANIPConnection, whose AddAnyPortMapping lets the IGD pick a free port. */
    boolean hasAddAny() {
        return service.getAction("AddAnyPortMapping") != null;
    }

    String serviceType() {
        return service.getServiceType().toString();
    }

    String externalIpAddress() throws NatException {
        Outcome outcome = new Outcome();
        String[] ip = new String[1];
        run(new GetExternalIP(service) {
            @Override
            protected void success(String externalIPAddress) {
                ip[0] = externalIPAddress;
                outcome.succeeded();
            }

            @Override
            public void failure(ActionInvocation invocation, UpnpResponse response, String message) {
                outcome.failed(invocation, response, message);
            }
        }, outcome, "GetExternalIPAddress");
        return ip[0];
    }

    void addPortMapping(Mapping m) throws NatException {
        Outcome outcome = new Outcome();
        run(new PortMappingAdd(service, m.toJupnp()) {
            @Override
            public void success(ActionInvocation invocation) {
                outcome.succeeded();
            }

            @Override
            public void failure(ActionInvocation invocation, UpnpResponse response, String message) {
                outcome.failed(invocation, response, message);
            }
        }, outcome, "AddPortMapping");
    }

    void deletePortMapping(Mapping m) throws NatException {
        Outcome outcome = new Outcome();
        run(new PortMappingDelete(service, m.toJupnp()) {
            @Override
            public void success(ActionInvocation invocation) {
                outcome.succeeded();
            }

            @Override
            public void failure(ActionInvocation invocation, UpnpResponse response, String message) {
                outcome.failed(invocation, response, message);
            }
        }, outcome, "DeletePortMapping");
    }

    /** AddAnyPortMapping: the external port the IGD reserved. */
    String addAnyPortMapping(Mapping m) throws NatException {
        ActionInvocation<RemoteService> invocation = invocation("AddAnyPortMapping");
        invocation.setInput("NewRemoteHost", "");
        invocation.setInput("NewExternalPort", new UnsignedIntegerTwoBytes(m.externalPort()));
        invocation.setInput("NewProtocol", m.transport().name());
        invocation.setInput("NewInternalPort", new UnsignedIntegerTwoBytes(m.internalPort()));
        invocation.setInput("NewInternalClient", m.internalClient());
        invocation.setInput("NewEnabled", true);
        invocation.setInput("NewPortMappingDescription", m.description());
        invocation.setInput("NewLeaseDuration", new UnsignedIntegerFourBytes(m.leaseSeconds()));
        if (invocation.getAction().getOutputArguments().length != 1) {
            throw new NatException("the IGD's AddAnyPortMapping does not declare one output argument");
        }
        ActionInvocation<RemoteService> done = invoke(invocation, "AddAnyPortMapping");
        // NewReservedPort, whatever the service description calls it (see ReservedPortAnswer)
        return output(done, done.getAction().getOutputArguments()[0].getName());
    }

    /** GetSpecificPortMappingEntry: the mapping's NewInternalClient and NewInternalPort. */
    Map<String, String> specificPortMappingEntry(Mapping m) throws NatException {
        ActionInvocation<RemoteService> invocation = invocation("GetSpecificPortMappingEntry");
        invocation.setInput("NewRemoteHost", "");
        invocation.setInput("NewExternalPort", new UnsignedIntegerTwoBytes(m.externalPort()));
        invocation.setInput("NewProtocol", m.transport().name());
        ActionInvocation<RemoteService> done = invoke(invocation, "GetSpecificPortMappingEntry");
        return Map.of("NewInternalClient", output(done, "NewInternalClient"),
                "NewInternalPort", output(done, "NewInternalPort"));
    }

    private ActionInvocation<RemoteService> invocation(String action) throws NatException {
        Action<RemoteService> a = service.getAction(action);
        if (a == null) {
            throw new NatException("the IGD's " + serviceType() + " has no " + action + " action");
        }
        return new ActionInvocation<>(a);
    }

    private ActionInvocation<RemoteService> invoke(ActionInvocation<RemoteService> invocation, String action)
            throws NatException {
        Outcome outcome = new Outcome();
        run(new ActionCallback(invocation) {
            @Override
            public void success(ActionInvocation done) {
                outcome.succeeded();
            }

            @Override
            public void failure(ActionInvocation done, UpnpResponse response, String message) {
                outcome.failed(done, response, message);
            }
        }, outcome, action);
        return invocation;
    }

    private static String output(ActionInvocation<RemoteService> done, String name) throws NatException {
        ActionArgumentValue<RemoteService> value = done.getOutput(name);
        if (value == null || value.getValue() == null) {
            throw new MalformedReplyException(done.getAction().getName() + " answer has no " + name);
        }
        return value.getValue().toString();
    }

    private void run(ActionCallback callback, Outcome outcome, String action) throws NatException {
        callback.setControlPoint(controlPoint);
        callback.run(); // synchronous: jupnp's SendingAction on this thread
        String note = http.lastNoteOnThisThread();
        outcome.check(action, http.lastProblemOnThisThread(),
                (note == null ? "" : "(" + note + ") ") + http.lastBodyExcerptOnThisThread());
    }

    /** One mapping's arguments. */
    record Mapping(IpProtocol transport, int externalPort, int internalPort, String internalClient, long leaseSeconds,
            String description) {
        PortMapping toJupnp() {
            return new PortMapping(true, new UnsignedIntegerFourBytes(leaseSeconds), "",
                    new UnsignedIntegerTwoBytes(externalPort), new UnsignedIntegerTwoBytes(internalPort), internalClient,
                    PortMapping.Protocol.valueOf(transport.name()), description);
        }
    }

    /** What a callback reported. */
    private static final class Outcome {
        private boolean succeeded;
        private boolean failed;
        private ActionException failure;
        private UpnpResponse response;
        private String message;

        void succeeded() {
            succeeded = true;
        }

        void failed(ActionInvocation<?> invocation, UpnpResponse response, String message) {
            failed = true;
            this.failure = invocation.getFailure();
            this.response = response;
            this.message = message;
        }

        void check(String action, String transportProblem, String body) throws NatException {
            if (succeeded && !failed) {
                return;
            }
            if (transportProblem != null) {
                throw new NatException(action + ": " + transportProblem);
            }
            if (response != null && response.getStatusCode() == 500 && failure != null
                    && failure.getErrorCode() >= 400 && failure.getErrorCode() < 1000 && !looksUnparsed(failure)) {
                throw new UpnpActionException(action, failure.getErrorCode(), failure.getMessage());
            }
            if (response != null) {
                throw new MalformedReplyException(action + " answer (HTTP " + response.getStatusCode()
                        + ") is malformed or unexpected: " + message + "; " + body);
            }
            throw new NatException(action + " failed: " + message);
        }

        /** jupnp reports an answer it could not read as ACTION_FAILED with this text. */
        private static boolean looksUnparsed(ActionException failure) {
            String text = failure.getMessage();
            return text != null && text.contains("Error reading SOAP response");
        }
    }
}
