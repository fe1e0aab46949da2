namespace Gateway.Tests.Listeners;

/// <summary>Runs the real curl client; every run is bounded in time.</summary>
internal static class Curl
{
    public static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        ProcessRunner.RunAsync("curl", ["--silent", "--show-error", "--max-time", "60", "--noproxy", "", .. args], start =>
        {
            // curl must take the proxy from -x only, never from the test runner's environment.
            foreach (string variable in (string[])["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"])
            {
                start.Environment.Remove(variable);
            }
        });
}
