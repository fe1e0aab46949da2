using System.Diagnostics;
using Vmm.Cli;
using Vmm.Microvm;

namespace Vmm.Tests.Microvm;

/// <summary>The script the guest agent runs, run here by the host's own POSIX shell: what it does is what the guest's busybox sh does.</summary>
public sealed class GuestScriptTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("$HOME `id` $(id) \"q\" * ? [a] \\ ; | & > < # ~")]
    [InlineData("line one\nline two")]
    [InlineData("")]
    public async Task Arguments_AndValues_ReachTheCommandLiterally(string text)
    {
        string script = GuestScript.Build(["printf", "%s|%s", text, "end"], new Dictionary<string, string> { ["VALUE"] = text });

        string viaArgument = await RunAsync(script);
        string viaEnvironment = await RunAsync(GuestScript.Build(["sh", "-c", "printf '%s' \"$VALUE\""], new Dictionary<string, string> { ["VALUE"] = text }));

        Assert.Equal(text + "|end", viaArgument);
        Assert.Equal(text, viaEnvironment);
    }

    [Theory]
    [InlineData("1ABC")]
    [InlineData("A-B")]
    [InlineData("A B")]
    [InlineData("X;rm")]
    [InlineData("")]
    public void VariableName_AShellCannotExport_IsRefused(string name) =>
        Assert.Throws<VmmException>(() => GuestScript.Build(["true"], new Dictionary<string, string> { [name] = "v" }));

    private static async Task<string> RunAsync(string script)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment.Remove("VALUE");
        using Process process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        string output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
