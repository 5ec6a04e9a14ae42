package io.crust.nat.upnp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A UPnP IGD on 127.0.0.1 for tests: a unicast SSDP responder and a minimal HTTP/1.1 server serving a
 * device description and WANIPConnection SOAP actions over an in-memory mapping table. Written from
 * the UPnP specs, independent of the client's code. Knobs produce the errors the client must handle.
 */
final class FakeIgd implements AutoCloseable {
    private static final Pattern ARGUMENT = Pattern.compile("<(New\\w+)>([^<]*)</\\1>");

    private final DatagramSocket ssdp;
    private final ServerSocket http;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, String> mappings = new HashMap<>();
    final Set<Integer> conflictingPorts = new HashSet<>();
    volatile int version = 2;
    volatile String externalIp = "198.51.100.9";
    volatile boolean onlyPermanentLeases;
    volatile boolean hang;
    volatile boolean silentSsdp;
    volatile String soapOverride;
    volatile String location;
    volatile int nextAnyPort = 50000;

    FakeIgd() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ssdp = new DatagramSocket(new InetSocketAddress(lo, 0));
        http = new ServerSocket(0, 50, lo);
        location = "http://127.0.0.1:" + http.getLocalPort() + "/desc.xml";
        threads.add(Thread.ofVirtual().name("fake-igd-ssdp").start(this::serveSsdp));
        threads.add(Thread.ofVirtual().name("fake-igd-http").start(this::serveHttp));
    }

    InetSocketAddress ssdpAddress() {
        return (InetSocketAddress) ssdp.getLocalSocketAddress();
    }

    String serviceType() {
        return "urn:schemas-upnp-org:service:WANIPConnection:" + version;
    }

    List<String> actions() {
        return calls.stream().map(c -> c.split(" ")[0]).toList();
    }

    private void serveSsdp() {
        byte[] buffer = new byte[2048];
        while (!ssdp.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                ssdp.receive(in);
                String request = new String(buffer, 0, in.getLength(), StandardCharsets.US_ASCII);
                if (silentSsdp || !request.startsWith("M-SEARCH")) {
                    continue;
                }
                String st = "urn:schemas-upnp-org:device:InternetGatewayDevice:" + version;
                if (!request.contains(st)) {
                    continue;
                }
                byte[] reply = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: " + st + "\r\nUSN: uuid:fake::" + st
                        + "\r\nEXT:\r\nSERVER: fake UPnP/1.1\r\nLOCATION: " + location + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                ssdp.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveHttp() {
        while (!http.isClosed()) {
            try {
                Socket s = http.accept();
                threads.add(Thread.ofVirtual().name("fake-igd-conn").start(() -> handle(s)));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            if (hang) {
                in.read(); // until the client gives up and closes
                return;
            }
            String path = lines[0].split(" ")[1];
            if (lines[0].startsWith("GET") && path.equals("/desc.xml")) {
                respond(s.getOutputStream(), 200, description());
                return;
            }
            if (lines[0].startsWith("GET") && path.equals("/scpd.xml")) {
                respond(s.getOutputStream(), 200, serviceDescription());
                return;
            }
            String soapAction = headers.getOrDefault("soapaction", "");
            String action = soapAction.replaceAll("^\"?[^#]*#", "").replace("\"", "");
            Map<String, String> args = new HashMap<>();
            Matcher m = ARGUMENT.matcher(body);
            while (m.find()) {
                args.put(m.group(1), m.group(2));
            }
            calls.add(action + " " + args.getOrDefault("NewExternalPort", "") + " " + args.getOrDefault("NewLeaseDuration", ""));
            if (soapOverride != null) {
                respond(s.getOutputStream(), 200, soapOverride);
                return;
            }
            String[] answer = soap(action, args);
            respond(s.getOutputStream(), answer[0].equals("ok") ? 200 : 500, answer[1]);
        } catch (IOException | RuntimeException e) {
            // the client closed early: fine for a test server
        }
    }

    private String[] soap(String action, Map<String, String> a) {
        String key = a.get("NewProtocol") + "/" + a.get("NewExternalPort");
        synchronized (mappings) {
            switch (action) {
                case "GetExternalIPAddress" -> {
                    return ok(action, "<NewExternalIPAddress>" + externalIp + "</NewExternalIPAddress>");
                }
                case "AddPortMapping", "AddAnyPortMapping" -> {
                    if (onlyPermanentLeases && !"0".equals(a.get("NewLeaseDuration"))) {
                        return error(725, "OnlyPermanentLeasesSupported");
                    }
                    int port = Integer.parseInt(a.get("NewExternalPort"));
                    if (conflictingPorts.contains(port)) {
                        if (action.equals("AddPortMapping")) {
                            return error(718, "ConflictInMappingEntry");
                        }
                        port = nextAnyPort++;
                        key = a.get("NewProtocol") + "/" + port;
                    }
                    mappings.put(key, a.get("NewInternalClient") + ":" + a.get("NewInternalPort"));
                    return action.equals("AddPortMapping") ? ok(action, "")
                            : ok(action, "<NewReservedPort>" + port + "</NewReservedPort>");
                }
                case "GetSpecificPortMappingEntry" -> {
                    String target = mappings.get(key);
                    if (target == null) {
                        return error(714, "NoSuchEntryInArray");
                    }
                    String[] hp = target.split(":");
                    return ok(action, "<NewInternalPort>" + hp[1] + "</NewInternalPort><NewInternalClient>" + hp[0]
                            + "</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>crust</NewPortMappingDescription>"
                            + "<NewLeaseDuration>0</NewLeaseDuration>");
                }
                case "DeletePortMapping" -> {
                    return mappings.remove(key) == null ? error(714, "NoSuchEntryInArray") : ok(action, "");
                }
                default -> {
                    return error(401, "Invalid Action");
                }
            }
        }
    }

    private String[] ok(String action, String args) {
        return new String[] {"ok", envelope("<u:" + action + "Response xmlns:u=\"" + serviceType() + "\">" + args
                + "</u:" + action + "Response>")};
    }

    private static String[] error(int code, String description) {
        return new String[] {"error", envelope("<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>"
                + "<detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" + code
                + "</errorCode><errorDescription>" + description + "</errorDescription></UPnPError></detail></s:Fault>")};
    }

    static String envelope(String body) {
        return "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>" + body + "</s:Body></s:Envelope>\r\n";
    }

    /** The device description (UPnP Device Architecture 1.1, section 2.3): IGD, WANDevice, WANConnectionDevice. */
    String description() {
        return """
                <?xml version="1.0"?>
                <root xmlns="urn:schemas-upnp-org:device-1-0">
                  <specVersion><major>1</major><minor>0</minor></specVersion>
                  <device>
                    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:%1$d</deviceType>
                    <friendlyName>fake IGD</friendlyName><manufacturer>crust tests</manufacturer><modelName>fake</modelName>
                    <UDN>uuid:fake</UDN>
                    <deviceList><device>
                      <deviceType>urn:schemas-upnp-org:device:WANDevice:%1$d</deviceType>
                      <friendlyName>WAN</friendlyName><manufacturer>crust tests</manufacturer><modelName>fake</modelName>
                      <UDN>uuid:fake-wan</UDN>
                      <deviceList><device>
                        <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:%1$d</deviceType>
                        <friendlyName>WAN connection</friendlyName><manufacturer>crust tests</manufacturer><modelName>fake</modelName>
                        <UDN>uuid:fake-wanconn</UDN>
                        <serviceList><service>
                          <serviceType>urn:schemas-upnp-org:service:WANIPConnection:%1$d</serviceType>
                          <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
                          <SCPDURL>/scpd.xml</SCPDURL>
                          <controlURL>/ctl/IPConn</controlURL>
                          <eventSubURL>/evt/IPConn</eventSubURL>
                        </service></serviceList>
                      </device></deviceList>
                    </device></deviceList>
                  </device>
                </root>
                """.formatted(version);
    }

    /** The WANIPConnection service description (its SCPD) with the actions a port mapper uses. */
    String serviceDescription() {
        String mappingIn = in("NewRemoteHost", "RemoteHost") + in("NewExternalPort", "ExternalPort")
                + in("NewProtocol", "PortMappingProtocol") + in("NewInternalPort", "InternalPort")
                + in("NewInternalClient", "InternalClient") + in("NewEnabled", "PortMappingEnabled")
                + in("NewPortMappingDescription", "PortMappingDescription")
                + in("NewLeaseDuration", "PortMappingLeaseDuration");
        String key = in("NewRemoteHost", "RemoteHost") + in("NewExternalPort", "ExternalPort")
                + in("NewProtocol", "PortMappingProtocol");
        StringBuilder actions = new StringBuilder()
                .append(action("GetExternalIPAddress", out("NewExternalIPAddress", "ExternalIPAddress")))
                .append(action("AddPortMapping", mappingIn))
                .append(action("DeletePortMapping", key))
                .append(action("GetSpecificPortMappingEntry", key + out("NewInternalPort", "InternalPort")
                        + out("NewInternalClient", "InternalClient") + out("NewEnabled", "PortMappingEnabled")
                        + out("NewPortMappingDescription", "PortMappingDescription")
                        + out("NewLeaseDuration", "PortMappingLeaseDuration")));
        if (version >= 2) {
            actions.append(action("AddAnyPortMapping", mappingIn + out("NewReservedPort", "ExternalPort")));
        }
        return "<?xml version=\"1.0\"?>\n<scpd xmlns=\"urn:schemas-upnp-org:service-1-0\">"
                + "<specVersion><major>1</major><minor>0</minor></specVersion><actionList>" + actions + "</actionList>"
                + "<serviceStateTable>" + variable("ExternalIPAddress", "string") + variable("RemoteHost", "string")
                + variable("ExternalPort", "ui2") + variable("PortMappingProtocol", "string")
                + variable("InternalPort", "ui2") + variable("InternalClient", "string")
                + variable("PortMappingEnabled", "boolean") + variable("PortMappingDescription", "string")
                + variable("PortMappingLeaseDuration", "ui4") + "</serviceStateTable></scpd>";
    }

    private static String action(String name, String arguments) {
        return "<action><name>" + name + "</name><argumentList>" + arguments + "</argumentList></action>";
    }

    private static String in(String name, String variable) {
        return argument(name, "in", variable);
    }

    private static String out(String name, String variable) {
        return argument(name, "out", variable);
    }

    private static String argument(String name, String direction, String variable) {
        return "<argument><name>" + name + "</name><direction>" + direction + "</direction><relatedStateVariable>"
                + variable + "</relatedStateVariable></argument>";
    }

    private static String variable(String name, String type) {
        return "<stateVariable sendEvents=\"no\"><name>" + name + "</name><dataType>" + type + "</dataType></stateVariable>";
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }

    private static void respond(OutputStream out, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Internal Server Error") + "\r\n"
                + "Content-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws Exception {
        ssdp.close();
        http.close();
        for (Thread t : new ArrayList<>(threads)) {
            t.interrupt();
        }
    }
}
