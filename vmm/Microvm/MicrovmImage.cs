using System.Diagnostics;
using Vmm.Network;

namespace Vmm.Microvm;

/// <summary>
/// The kernel and initramfs every microVM boots, built by <c>microvm/build-image.sh</c> from Debian
/// packages into an image directory and reused while its inputs are unchanged.
/// </summary>
/// <param name="Directory">Where the image lives (cache of downloaded packages included).</param>
/// <param name="Kernel">The Debian kernel (<c>vmlinuz</c>).</param>
/// <param name="Initrd">The initramfs (<c>initrd.img</c>).</param>
internal sealed record MicrovmImage(string Directory, string Kernel, string Initrd)
{
    /// <summary>Overrides the image directory (default <c>{stateDir}/microvm</c>), e.g. to share one image between state directories.</summary>
    public const string DirectoryVariable = "VMM_MICROVM_IMAGE_DIR";

    // The first build downloads the kernel package (~70 MB) and packs ~10 MB; later runs only hash.
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The build script shipped next to vmm's binary.</summary>
    public static string Script => Path.Combine(AppContext.BaseDirectory, "microvm", "build-image.sh");

    /// <summary>The image directory for a state directory, unless <see cref="DirectoryVariable"/> names another.</summary>
    public static string DirectoryFor(string stateDirectory) =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } given ? Path.GetFullPath(given) : Path.Combine(stateDirectory, "microvm");

    /// <summary>Builds the image when missing or stale (the script decides), and returns where it is.</summary>
    public static async Task<MicrovmImage> EnsureAsync(string directory, CancellationToken cancellation)
    {
        if (!File.Exists(Script))
        {
            throw new HostCommandException($"the microVM image script is missing: {Script} (it ships with vmm)");
        }

        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(directory);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new HostCommandException("cannot start bash for the microVM image script");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostCommandException($"cannot run bash ({e.Message}); the microVM image script needs it");
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellation);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(s_buildTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new HostCommandException($"the microVM image build did not finish within {s_buildTimeout.TotalMinutes:0} minutes");
            }

            string[] written = (await stdout.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (process.ExitCode != 0 || written.Length != 2)
            {
                throw new HostCommandException($"the microVM image build failed ({process.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
            }

            return new MicrovmImage(directory, written[0], written[1]);
        }
    }
}
