namespace Gateway.Cli;

/// <summary>What a command may touch of its process: streams, environment, terminal, clock.</summary>
internal sealed class CliContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>True when stdin is a terminal a person can answer prompts on.</summary>
    public required bool InteractiveInput { get; init; }

    public required IReadOnlyDictionary<string, string?> Environment { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Ends long-running commands (<c>policy log --follow</c>) besides Ctrl-C; tests stop them with it.</summary>
    public CancellationToken Cancellation { get; init; }

    public static CliContext FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        InteractiveInput = !Console.IsInputRedirected,
        Environment = Configuration.ConfigLoader.ProcessEnvironment(),
    };
}
