package io.crust.testkit;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Replays the saved inputs of a fuzz test class outside Jazzer: every method annotated
 * {@code @FuzzTest} that takes a {@code byte[]} gets each file of
 * {@code <Class>Inputs/<method>/} beside the class on the test class path. Lets another check
 * (for example {@link NoNameLookups}) watch the parsers while they eat the whole corpus.
 */
public final class FuzzCorpus {
    private FuzzCorpus() {
    }

    /**
     * Feeds every saved input to its target; returns how many inputs ran.
     *
     * @throws AssertionError when a target fails on an input, naming the file
     */
    public static int replay(Class<?> fuzzTest) throws Exception {
        Constructor<?> constructor = fuzzTest.getDeclaredConstructor();
        constructor.setAccessible(true);
        Object instance = constructor.newInstance();
        int inputs = 0;
        for (Method method : fuzzTest.getDeclaredMethods()) {
            boolean fuzzTarget = Arrays.stream(method.getAnnotations())
                    .anyMatch(a -> a.annotationType().getSimpleName().equals("FuzzTest"));
            if (!fuzzTarget || !Arrays.equals(method.getParameterTypes(), new Class<?>[] {byte[].class})) {
                continue;
            }
            method.setAccessible(true);
            for (Path input : inputs(fuzzTest, method.getName())) {
                try {
                    method.invoke(instance, (Object) Files.readAllBytes(input));
                } catch (InvocationTargetException e) {
                    throw new AssertionError(method.getName() + " failed on " + input, e.getCause());
                }
                inputs++;
            }
        }
        return inputs;
    }

    private static List<Path> inputs(Class<?> fuzzTest, String method) throws IOException, URISyntaxException {
        URL folder = fuzzTest.getResource(fuzzTest.getSimpleName() + "Inputs/" + method);
        if (folder == null || !"file".equals(folder.getProtocol())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            return new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
        }
    }
}
