package net.rhizome.node.cli;

import picocli.CommandLine;

/** Entry point of the {@code ./rhizome} launcher. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run commands through it in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RhizomeCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        return cli;
    }

    /** Turns a failure into one clear line on stderr (stack traces only with RHIZOME_DEBUG=1). */
    private static final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
            if ("1".equals(System.getenv("RHIZOME_DEBUG"))) {
                e.printStackTrace(cmd.getErr());
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
            return e instanceof CliException ce ? ce.exitCode() : 1;
        }
    }
}
