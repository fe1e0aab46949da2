namespace Vmm.Microvm;

/// <summary>
/// Picks KVM when it can boot a stock Debian kernel, TCG otherwise. <c>/dev/kvm</c> alone proves
/// little: a paravirtual KVM (PVM) offers it on CPUs without vmx/svm, and a stock kernel then fails
/// ("failed to set MSR 0x10a" with <c>-cpu host</c>) or hangs after "Probing EDD" with <c>-cpu
/// qemu64</c>. So KVM is only tried when the CPU has vmx or svm, and a KVM boot that fails is
/// remembered (<see cref="KvmVerdictFile"/>) so later VMs go straight to TCG.
/// </summary>
internal static class AcceleratorChoice
{
    /// <summary>Forces the accelerator ("kvm" or "tcg") for every VM, skipping detection.</summary>
    public const string OverrideVariable = "VMM_MICROVM_ACCEL";

    /// <summary>The file, in the image directory, recording why a KVM boot failed here.</summary>
    public const string KvmVerdictFile = "kvm-unusable";

    /// <summary>The accelerator to try first for a VM whose image lives in <paramref name="imageDirectory"/>.</summary>
    public static Accelerator Choose(string imageDirectory, string cpuInfoPath = "/proc/cpuinfo", string kvmDevice = "/dev/kvm")
    {
        string? forced = Environment.GetEnvironmentVariable(OverrideVariable);
        if (forced is Accelerator.Kvm or Accelerator.Tcg)
        {
            return new Accelerator(forced, $"{OverrideVariable}={forced}");
        }

        if (!File.Exists(kvmDevice))
        {
            return new Accelerator(Accelerator.Tcg, $"{kvmDevice} does not exist");
        }

        try
        {
            using FileStream probe = new(kvmDevice, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Accelerator(Accelerator.Tcg, $"{kvmDevice} cannot be opened: {e.Message}");
        }

        if (!HasVirtualizationFlag(cpuInfoPath))
        {
            return new Accelerator(Accelerator.Tcg, $"{kvmDevice} exists but the CPU has no vmx/svm (a paravirtual KVM such as PVM), under which a stock Debian kernel does not boot");
        }

        string verdict = Path.Combine(imageDirectory, KvmVerdictFile);
        if (File.Exists(verdict))
        {
            return new Accelerator(Accelerator.Tcg, $"an earlier KVM boot failed ({File.ReadAllText(verdict).Trim()}); delete {verdict} to try KVM again");
        }

        return new Accelerator(Accelerator.Kvm, $"{kvmDevice} opens and the CPU has vmx/svm");
    }

    /// <summary>Remembers that KVM could not boot the guest, so the next VMs use TCG at once.</summary>
    public static void RecordKvmFailure(string imageDirectory, string reason) =>
        File.WriteAllText(Path.Combine(imageDirectory, KvmVerdictFile), reason + Environment.NewLine);

    /// <summary>
    /// The host's TSC frequency in kHz when the CPU says it is constant, else null. Under TCG the
    /// guest's TSC is the host's, and the guest kernel's own calibration against the emulated PIT
    /// fails on a loaded host ("tsc: Unable to calibrate against PIT") and then hangs at boot;
    /// <c>tsc_early_khz=</c> skips that calibration.
    /// </summary>
    public static long? HostTscKilohertz(string cpuInfoPath = "/proc/cpuinfo")
    {
        bool constant = false;
        double megahertz = 0;
        foreach (string line in ReadLines(cpuInfoPath))
        {
            if (line.StartsWith("flags", StringComparison.Ordinal) && !constant)
            {
                constant = HasWord(line, "constant_tsc");
            }
            else if (line.StartsWith("cpu MHz", StringComparison.Ordinal) && megahertz == 0)
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                _ = double.TryParse(line.AsSpan(colon + 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out megahertz);
            }

            if (constant && megahertz > 0)
            {
                break;
            }
        }

        return constant && megahertz > 0 ? (long)Math.Round(megahertz * 1000) : null;
    }

    private static bool HasVirtualizationFlag(string cpuInfoPath)
    {
        foreach (string line in ReadLines(cpuInfoPath))
        {
            if (line.StartsWith("flags", StringComparison.Ordinal))
            {
                return HasWord(line, "vmx") || HasWord(line, "svm");
            }
        }

        return false;
    }

    private static bool HasWord(string line, string word)
    {
        foreach (Range range in line.AsSpan().Split(' '))
        {
            if (line.AsSpan()[range].SequenceEqual(word))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
