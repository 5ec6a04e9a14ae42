package io.crust.core.frame;

/**
 * A received frame: {@code length} bytes of {@code array} from {@code offset}, valid until the next
 * read from the transport that returned it (the array may be the transport's own buffer).
 */
public record Frame(byte[] array, int offset, int length) {
}
