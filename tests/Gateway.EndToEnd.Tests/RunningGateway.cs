using System.Diagnostics;

namespace Gateway.EndToEnd.Tests;

/// <summary>A started gateway process whose output is being drained (so it never blocks on a full pipe).</summary>
internal sealed class RunningGateway : IDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    public RunningGateway(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
        _process.StandardInput.Close();
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>The process id (vmm's isolation tests look for it from inside a sandbox).</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the process has ended (a gateway that could not bind its ports ends at once).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Waits (bounded) for the process to exit and returns what it printed.</summary>
    public async Task<GatewayResult> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(GatewayProcess.Timeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            string stdout = await _stdout.WaitAsync(timeout.Token);
            string stderr = await _stderr.WaitAsync(timeout.Token);
            return new GatewayResult(_process.ExitCode, stdout, stderr);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"`gateway {_commandLine}` did not finish within {GatewayProcess.Timeout.TotalSeconds:0}s");
        }
    }

    /// <summary>Asks the process to stop as an init system would (SIGTERM).</summary>
    public void Terminate()
    {
        using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(10_000);
    }

    /// <summary>Kills the process (SIGKILL on Unix) if it is still running.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}
