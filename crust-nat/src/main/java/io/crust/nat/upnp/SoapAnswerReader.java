package io.crust.nat.upnp;

import java.util.function.Consumer;
import org.jupnp.model.UnsupportedDataException;
import org.jupnp.model.action.ActionInvocation;
import org.jupnp.model.message.control.ActionResponseMessage;
import org.jupnp.transport.impl.SOAPActionProcessorImpl;

/**
 * jupnp's SOAP reader for the gateway's action answers, with {@link ReservedPortAnswer}'s workaround
 * and a note of why an answer could not be read (jupnp's own message drops the cause).
 */
final class SoapAnswerReader extends SOAPActionProcessorImpl {
    private final Consumer<String> note;

    SoapAnswerReader(Consumer<String> note) {
        this.note = note;
    }

    /**
     * Reads the answer's output arguments into {@code invocation} (a UPnP fault becomes its failure).
     *
     * @throws UnsupportedDataException when the answer is not a readable SOAP envelope
     */
    @Override
    public void readBody(ActionResponseMessage answer, ActionInvocation invocation) {
        try {
            super.readBody(answer, invocation);
        } catch (UnsupportedDataException e) {
            if (ReservedPortAnswer.read(answer, invocation)) {
                return;
            }
            note.accept(e.getCause() == null ? e.toString() : e.getCause().toString());
            throw e;
        }
    }
}
