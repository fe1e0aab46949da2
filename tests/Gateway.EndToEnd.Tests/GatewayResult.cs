using System.Text.Json;

namespace Gateway.EndToEnd.Tests;

/// <summary>What one gateway process did: its exit code and everything it printed.</summary>
internal sealed record GatewayResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout split into lines, without the final empty one.</summary>
    public IReadOnlyList<string> StdoutLines => Lines(Stdout);

    /// <summary>Stderr split into lines, without the final empty one.</summary>
    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    /// <summary>Stdout parsed as JSON (a clone, so it outlives the document).</summary>
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts a successful run that printed nothing on stderr.</summary>
    public GatewayResult AssertSuccess()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        Assert.Equal(string.Empty, Stderr);
        return this;
    }

    /// <summary>Asserts exit 1 with exactly one stderr line, "gateway: " then <paramref name="message"/>, and nothing on stdout.</summary>
    public void AssertFailure(string message)
    {
        Assert.True(ExitCode == 1, $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        Assert.Equal(["gateway: " + message], StderrLines);
        Assert.Equal(string.Empty, Stdout);
    }

    /// <summary>Asserts exit 2 (usage) whose first stderr line starts with "gateway: ", and nothing on stdout.</summary>
    public void AssertUsageError()
    {
        Assert.True(ExitCode == 2, $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        Assert.NotEmpty(StderrLines);
        Assert.StartsWith("gateway: ", StderrLines[0], StringComparison.Ordinal);
        Assert.Equal(string.Empty, Stdout);
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";

    private static string[] Lines(string text)
    {
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }
}
