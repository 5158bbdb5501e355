// Exact decimal arithmetic backing `Quantity`, plus the public operators.

extension Quantity {
    /// An exact, arbitrary-precision decimal: `(-1)^isNegative × digits × 10^exponent`.
    ///
    /// Always normalised: `digits` is little-endian (index 0 is the units digit of the
    /// mantissa), has no zero at either end, and zero is the empty mantissa with
    /// exponent 0 and a positive sign. Normalisation makes synthesized `==`/`hash`
    /// agree with numeric equality.
    struct Amount: Hashable, Sendable {
        private(set) var isNegative: Bool
        private(set) var digits: [UInt8]
        private(set) var exponent: Int

        static let zero = Amount(isNegative: false, digits: [], exponent: 0)
        static let one = Amount(1)
        static let int64Max = Amount(UInt64(Int64.max))

        private init(isNegative: Bool, digits: [UInt8], exponent: Int) {
            self.isNegative = isNegative
            self.digits = digits
            self.exponent = exponent
        }

        /// Builds a normalised amount from little-endian decimal digits (values 0...9).
        init(negative: Bool, littleEndian raw: [UInt8], exponent: Int) {
            var high = raw.count
            while high > 0 && raw[high - 1] == 0 { high -= 1 }
            var low = 0
            while low < high && raw[low] == 0 { low += 1 }
            if low == high {
                self = .zero
            } else {
                self.init(isNegative: negative, digits: Array(raw[low..<high]), exponent: exponent + low)
            }
        }

        /// Builds an amount from big-endian ASCII digits ("0"..."9").
        init<C: Collection>(negative: Bool, asciiDigits: C, exponent: Int) where C.Element == UInt8 {
            self.init(negative: negative, littleEndian: asciiDigits.reversed().map { $0 &- 48 }, exponent: exponent)
        }

        init(negative: Bool = false, _ magnitude: UInt64, exponent: Int = 0) {
            var raw: [UInt8] = []
            var rest = magnitude
            while rest > 0 {
                raw.append(UInt8(rest % 10))
                rest /= 10
            }
            self.init(negative: negative, littleEndian: raw, exponent: exponent)
        }

        init(_ value: Int64, exponent: Int = 0) {
            self.init(negative: value < 0, value.magnitude, exponent: exponent)
        }

        var isZero: Bool { digits.isEmpty }

        var signum: Int { isZero ? 0 : (isNegative ? -1 : 1) }

        /// One past the power of ten of the most significant digit.
        private var top: Int { digits.count + exponent }

        /// The digit standing for `10^power` in the magnitude.
        func digit(at power: Int) -> UInt8 {
            let index = power - exponent
            return index >= 0 && index < digits.count ? digits[index] : 0
        }

        var negated: Amount {
            isZero ? self : Amount(isNegative: !isNegative, digits: digits, exponent: exponent)
        }

        var magnitude: Amount { Amount(isNegative: false, digits: digits, exponent: exponent) }

        /// The same amount with the sign set to `negative` (zero stays positive).
        func withSign(negative: Bool) -> Amount {
            isZero ? self : Amount(isNegative: negative, digits: digits, exponent: exponent)
        }

        /// The amount multiplied by `10^shift` (exact).
        func scaled(byPowerOfTen shift: Int) -> Amount {
            isZero ? self : Amount(isNegative: isNegative, digits: digits, exponent: exponent + shift)
        }

        /// Compares |a| with |b|: -1, 0 or 1.
        static func compareMagnitudes(_ a: Amount, _ b: Amount) -> Int {
            if a.isZero || b.isZero { return (a.isZero ? 0 : 1) - (b.isZero ? 0 : 1) }
            if a.top != b.top { return a.top < b.top ? -1 : 1 }
            var power = a.top - 1
            let lowest = min(a.exponent, b.exponent)
            while power >= lowest {
                let x = a.digit(at: power), y = b.digit(at: power)
                if x != y { return x < y ? -1 : 1 }
                power -= 1
            }
            return 0
        }

        /// Compares a with b numerically: -1, 0 or 1.
        static func compare(_ a: Amount, _ b: Amount) -> Int {
            let (sa, sb) = (a.signum, b.signum)
            if sa != sb { return sa < sb ? -1 : 1 }
            let m = compareMagnitudes(a, b)
            return a.isNegative ? -m : m
        }

        static func + (a: Amount, b: Amount) -> Amount {
            if a.isZero { return b }
            if b.isZero { return a }
            let lowest = min(a.exponent, b.exponent)
            let highest = max(a.top, b.top)
            var out = [UInt8]()
            out.reserveCapacity(highest - lowest + 1)
            if a.isNegative == b.isNegative {
                var carry: UInt8 = 0
                for power in lowest..<highest {
                    let sum = a.digit(at: power) + b.digit(at: power) + carry
                    out.append(sum % 10)
                    carry = sum / 10
                }
                out.append(carry)
                return Amount(negative: a.isNegative, littleEndian: out, exponent: lowest)
            }
            let order = compareMagnitudes(a, b)
            if order == 0 { return .zero }
            let (larger, smaller) = order > 0 ? (a, b) : (b, a)
            var borrow: UInt8 = 0
            for power in lowest..<highest {
                let subtrahend = smaller.digit(at: power) + borrow
                var minuend = larger.digit(at: power)
                if minuend < subtrahend {
                    minuend += 10
                    borrow = 1
                } else {
                    borrow = 0
                }
                out.append(minuend - subtrahend)
            }
            return Amount(negative: larger.isNegative, littleEndian: out, exponent: lowest)
        }

        static func - (a: Amount, b: Amount) -> Amount { a + b.negated }

        /// The amount multiplied by a small factor (at most 2^32).
        func multiplied(by factor: UInt64) -> Amount {
            var out = [UInt8]()
            out.reserveCapacity(digits.count + 10)
            var carry: UInt64 = 0
            for d in digits {
                let product = UInt64(d) * factor + carry
                out.append(UInt8(product % 10))
                carry = product / 10
            }
            while carry > 0 {
                out.append(UInt8(carry % 10))
                carry /= 10
            }
            return Amount(negative: isNegative, littleEndian: out, exponent: exponent)
        }

        /// The amount multiplied by `2^power` (`power` >= 0).
        func multiplied(byPowerOfTwo power: Int) -> Amount {
            var result = self
            var remaining = power
            while remaining > 0 {
                let step = min(remaining, 30)
                result = result.multiplied(by: UInt64(1) << UInt64(step))
                remaining -= step
            }
            return result
        }

        /// Rounds to a multiple of `10^scale`, away from zero; `exact` tells whether the
        /// value was already such a multiple.
        func roundedAwayFromZero(toExponent scale: Int) -> (amount: Amount, exact: Bool) {
            if isZero || exponent >= scale { return (self, true) }
            // Normalised, so the lowest digit is non-zero: dropping it is always inexact.
            let dropped = scale - exponent
            if dropped >= digits.count {
                return (Amount(isNegative: isNegative, digits: [1], exponent: scale), false)
            }
            var kept = Array(digits[dropped...])
            var index = 0
            while true {
                if index == kept.count {
                    kept.append(1)
                    break
                }
                if kept[index] == 9 {
                    kept[index] = 0
                    index += 1
                } else {
                    kept[index] += 1
                    break
                }
            }
            return (Amount(negative: isNegative, littleEndian: kept, exponent: scale), false)
        }

        /// Converts an integral amount (exponent >= 0) to Int64, saturating on overflow.
        func int64Saturating() -> Int64 {
            if isZero { return 0 }
            var magnitude: UInt64 = 0
            var overflow = top > 20
            var power = top - 1
            while !overflow && power >= 0 {
                let (shifted, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = shifted.addingReportingOverflow(UInt64(digit(at: power)))
                overflow = o1 || o2
                magnitude = sum
                power -= 1
            }
            if isNegative {
                if overflow || magnitude > UInt64(1) << 63 { return .min }
                return Int64(truncatingIfNeeded: 0 &- magnitude)
            }
            if overflow || magnitude > UInt64(Int64.max) { return .max }
            return Int64(magnitude)
        }

        /// Mantissa (with sign) and exponent such that the exponent is a multiple of
        /// three and the mantissa is an integer carrying as few trailing zeros as possible.
        func decimalParts() -> (mantissa: String, exponent: Int) {
            let padding = ((exponent % 3) + 3) % 3
            var bytes = [UInt8]()
            bytes.reserveCapacity(digits.count + padding + 1)
            if isNegative { bytes.append(UInt8(ascii: "-")) }
            for d in digits.reversed() { bytes.append(d + 48) }
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: padding))
            return (String(decoding: bytes, as: UTF8.self), exponent - padding)
        }

        /// For a non-zero integral amount: mantissa (with sign) and the power of 1024
        /// (at most `maxPower`) removed from it.
        func binaryParts(maxPower: Int) -> (mantissa: String, power: Int) {
            // Big-endian integer digits of the magnitude.
            var value: [UInt8] = Array(digits.reversed()) + [UInt8](repeating: 0, count: max(exponent, 0))
            var power = 0
            while power < maxPower, let quotient = Amount.exactQuotient(value, by: 1024) {
                value = quotient
                power += 1
            }
            var bytes = isNegative ? [UInt8(ascii: "-")] : []
            bytes.append(contentsOf: value.map { $0 + 48 })
            return (String(decoding: bytes, as: UTF8.self), power)
        }

        /// Divides big-endian digits by `divisor`, or returns nil when it does not divide.
        private static func exactQuotient(_ value: [UInt8], by divisor: UInt64) -> [UInt8]? {
            var quotient = [UInt8]()
            quotient.reserveCapacity(value.count)
            var remainder: UInt64 = 0
            for d in value {
                remainder = remainder * 10 + UInt64(d)
                let q = remainder / divisor
                if !(quotient.isEmpty && q == 0) { quotient.append(UInt8(q)) }
                remainder %= divisor
            }
            return remainder == 0 && !quotient.isEmpty ? quotient : nil
        }
    }
}

// MARK: - Public arithmetic

extension Quantity {
    /// Sum of two quantities. The result keeps the left operand's format, unless the
    /// left operand is zero, in which case it takes the right operand's (as upstream `Add`).
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(amount: lhs.amount + rhs.amount, format: lhs.isZero ? rhs.format : lhs.format)
    }

    /// Difference of two quantities, with the same format rule as `+` (upstream `Sub`).
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(amount: lhs.amount - rhs.amount, format: lhs.isZero ? rhs.format : lhs.format)
    }

    /// The negated quantity; the format is kept.
    public static prefix func - (operand: Quantity) -> Quantity {
        Quantity(amount: operand.amount.negated, format: operand.format)
    }

    public static func += (lhs: inout Quantity, rhs: Quantity) { lhs = lhs + rhs }

    public static func -= (lhs: inout Quantity, rhs: Quantity) { lhs = lhs - rhs }
}
