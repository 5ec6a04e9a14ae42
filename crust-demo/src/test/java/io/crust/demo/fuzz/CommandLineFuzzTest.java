package io.crust.demo.fuzz;

import io.crust.testkit.InputBudget;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.demo.Main;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Hostile command lines against the demo's parser (picocli plus the demo's own converters, such as
 * HOST:PORT options). Parsing only, nothing runs: each command line parses or is refused with
 * {@link CommandLine.ParameterException}, which the tool turns into a usage message and exit code 2.
 * Argument files ({@code @file}) are turned off so that no input reads the disk.
 *
 * <p>Words are drawn from the real command paths and option names, so most inputs reach the
 * converters rather than dying on an unknown word.
 */
class CommandLineFuzzTest {
    private static final List<List<String>> COMMAND_PATHS = new ArrayList<>();
    private static final List<String> OPTION_NAMES = new ArrayList<>();
    /** picocli builds its parse result from reflection metadata: a fixed cost per parse, whatever the input. */
    private static final long PICOCLI_BYTES = 4L * 1024 * 1024;

    static {
        collect(Main.commandLine(), new ArrayList<>());
    }

    @FuzzTest
    void anyCommandLineParsesOrIsRefusedWithAParameterException(FuzzedDataProvider data) {
        List<String> args = new ArrayList<>(COMMAND_PATHS.get(data.consumeInt(0, COMMAND_PATHS.size() - 1)));
        int words = data.consumeInt(0, 8);
        for (int i = 0; i < words; i++) {
            if (data.consumeBoolean()) {
                args.add(OPTION_NAMES.get(data.consumeInt(0, OPTION_NAMES.size() - 1)));
            }
            args.add(data.consumeString(64));
        }
        CommandLine cli = Main.commandLine();
        cli.setExpandAtFiles(false);
        InputBudget.check("picocli parse", args.toString().length(), PICOCLI_BYTES, () -> {
            try {
                cli.parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException expected) {
                // documented refusal: usage message, exit code 2
            }
        });
    }

    private static void collect(CommandLine command, List<String> path) {
        COMMAND_PATHS.add(List.copyOf(path));
        CommandSpec spec = command.getCommandSpec();
        for (OptionSpec option : spec.options()) {
            for (String name : option.names()) {
                if (!OPTION_NAMES.contains(name)) {
                    OPTION_NAMES.add(name);
                }
            }
        }
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().name().equals(name)) {
                return; // an alias: the same command again
            }
            List<String> longer = new ArrayList<>(path);
            longer.add(name);
            collect(sub, longer);
        });
    }
}
