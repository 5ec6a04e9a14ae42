package io.crust.nat.upnp;

import java.nio.charset.StandardCharsets;
import org.jupnp.model.action.ActionInvocation;
import org.jupnp.model.meta.ActionArgument;
import org.jupnp.model.message.control.ActionResponseMessage;
import org.jupnp.model.types.UnsignedIntegerTwoBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.NodeList;

/**
 * A workaround for a gateway whose service description and answer disagree on the name of
 * AddAnyPortMapping's one output argument. miniupnpd (as packaged in Debian, seen in the NAT lab) declares
 * it under another name than the {@code NewReservedPort} it sends, and jupnp, which matches output
 * arguments by their declared names, rejects the answer ("expected 1 but found 0"). When that happens for
 * AddAnyPortMapping only, the {@code NewReservedPort} element is read here and stored as the declared
 * output argument. The answer is at most {@link HttpStreamClient#MAX_BODY_BYTES}; DTDs are refused.
 */
final class ReservedPortAnswer {
    private static final Logger LOG = LoggerFactory.getLogger(ReservedPortAnswer.class);

    private ReservedPortAnswer() {
    }

    /** True when the answer was read here; false leaves jupnp's error standing. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static boolean read(ActionResponseMessage answer, ActionInvocation invocation) {
        if (!"AddAnyPortMapping".equals(invocation.getAction().getName())) {
            return false;
        }
        ActionArgument[] outputs = invocation.getAction().getOutputArguments();
        if (outputs.length != 1 || answer.getBodyString() == null) {
            return false;
        }
        try {
            NodeList found = SafeXml.parse(answer.getBodyString().getBytes(StandardCharsets.UTF_8))
                    .getElementsByTagNameNS("*", "NewReservedPort");
            if (found.getLength() != 1) {
                return false;
            }
            long port = Long.parseLong(found.item(0).getTextContent().trim());
            invocation.setOutput(outputs[0].getName(), new UnsignedIntegerTwoBytes(port));
            LOG.debug("AddAnyPortMapping: output declared as {} but answered as NewReservedPort ({})",
                    outputs[0].getName(), port);
            return true;
        } catch (Exception e) {
            LOG.debug("AddAnyPortMapping answer not readable: {}", e.toString());
            return false;
        }
    }
}
