using System.Diagnostics;

namespace LoadDriver.Suite;

/// <summary>Runs a short command to completion (bounded) and returns its exit code and output.</summary>
internal static class ExternalCommand
{
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            return (-1, "", $"{program} did not finish in {timeout.TotalSeconds:F0} s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
