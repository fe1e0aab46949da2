using System.Diagnostics;
using System.Globalization;

namespace Gateway.Tests.Docs;

/// <summary>
/// One bash session that runs README commands in order, as a reader pasting them into a
/// terminal would: variables exported by one command are there for the next. Each command's
/// output goes to a file and its exit status to another, which the test waits for (bounded).
/// A daemon command (<c>gateway run</c>) is started in the background, replacing the previous
/// daemon, and waited for until <c>/readyz</c> answers; a <c>--follow</c> command runs for 3 s.
/// </summary>
internal sealed class DocShell : IAsyncDisposable
{
    private readonly Process _bash;
    private readonly string _dir;
    private int _next;

    public DocShell(string fileName, IEnumerable<string> args, string dir, IReadOnlyDictionary<string, string?> environment)
    {
        _dir = dir;
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoFiles.Root,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        _bash = Process.Start(start)!;
        _bash.OutputDataReceived += static (_, _) => { };
        _bash.ErrorDataReceived += static (_, _) => { };
        _bash.BeginOutputReadLine();
        _bash.BeginErrorReadLine();
    }

    /// <summary>Runs <paramref name="command"/> and returns its exit status and what it printed.</summary>
    public async Task<(int Exit, string Output)> RunAsync(string command, TimeSpan timeout)
    {
        int n = _next++;
        string output = Path.Combine(_dir, $"out.{n}");
        string status = Path.Combine(_dir, $"rc.{n}");
        string script = IsDaemon(command)
            ? $$"""
                if [ -n "${DOC_DAEMON:-}" ]; then kill -TERM "$DOC_DAEMON"; wait "$DOC_DAEMON"; fi
                {{command}} > '{{output}}' 2>&1 < /dev/null &
                DOC_DAEMON=$!
                for _ in $(seq 1 1800); do
                  curl -fsS -o /dev/null http://127.0.0.1:9090/readyz 2>/dev/null && break
                  kill -0 "$DOC_DAEMON" 2>/dev/null || break
                  sleep 0.1
                done
                curl -fsS -o /dev/null http://127.0.0.1:9090/readyz 2>/dev/null; echo $? > '{{status}}.tmp'; mv '{{status}}.tmp' '{{status}}'
                """
            : command.Contains("--follow", StringComparison.Ordinal)
            ? $$"""
                timeout -s INT 3 {{command}} > '{{output}}' 2>&1 < /dev/null; r=$?; [ "$r" = 124 ] && r=0
                echo "$r" > '{{status}}.tmp'; mv '{{status}}.tmp' '{{status}}'
                """
            : $$"""
                {
                {{command}}
                } > '{{output}}' 2>&1 < /dev/null
                echo $? > '{{status}}.tmp'; mv '{{status}}.tmp' '{{status}}'
                """;
        await _bash.StandardInput.WriteLineAsync(script);
        await _bash.StandardInput.FlushAsync();

        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!File.Exists(status))
        {
            if (_bash.HasExited)
            {
                return (-1, "the shell ended: " + ReadIfExists(output));
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                return (-1, $"did not finish within {timeout.TotalSeconds:0}s: " + ReadIfExists(output));
            }

            await Task.Delay(50);
        }

        return (int.Parse((await File.ReadAllTextAsync(status)).Trim(), CultureInfo.InvariantCulture), ReadIfExists(output));
    }

    /// <summary>The output so far of the last daemon (its log).</summary>
    public string DaemonLog(int command) => ReadIfExists(Path.Combine(_dir, $"out.{command}"));

    public int Count => _next;

    public static bool IsDaemon(string command) =>
        command.StartsWith("gateway run", StringComparison.Ordinal) || command.StartsWith("dotnet run --project gateway -- run", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (!_bash.HasExited)
        {
            await _bash.StandardInput.WriteLineAsync("if [ -n \"${DOC_DAEMON:-}\" ]; then kill -TERM \"$DOC_DAEMON\"; wait \"$DOC_DAEMON\"; fi; exit 0");
            await _bash.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _bash.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _bash.Kill(entireProcessTree: true);
            }
        }

        _bash.Dispose();
    }

    private static string ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
