import { createRequire as __modelsealCreateRequire } from 'node:module';
const require = __modelsealCreateRequire(import.meta.url);
var __getOwnPropNames = Object.getOwnPropertyNames;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};

// ../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/cryptoNode.js
var require_cryptoNode = __commonJS({
  "../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/cryptoNode.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.crypto = void 0;
    var nc = __require("node:crypto");
    exports.crypto = nc && typeof nc === "object" && "webcrypto" in nc ? nc.webcrypto : nc && typeof nc === "object" && "randomBytes" in nc ? nc : void 0;
  }
});

// ../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/utils.js
var require_utils = __commonJS({
  "../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/utils.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.wrapXOFConstructorWithOpts = exports.wrapConstructorWithOpts = exports.wrapConstructor = exports.Hash = exports.nextTick = exports.swap32IfBE = exports.byteSwapIfBE = exports.swap8IfBE = exports.isLE = void 0;
    exports.isBytes = isBytes;
    exports.anumber = anumber;
    exports.abytes = abytes;
    exports.ahash = ahash;
    exports.aexists = aexists;
    exports.aoutput = aoutput;
    exports.u8 = u8;
    exports.u32 = u32;
    exports.clean = clean;
    exports.createView = createView;
    exports.rotr = rotr;
    exports.rotl = rotl;
    exports.byteSwap = byteSwap;
    exports.byteSwap32 = byteSwap32;
    exports.bytesToHex = bytesToHex;
    exports.hexToBytes = hexToBytes;
    exports.asyncLoop = asyncLoop;
    exports.utf8ToBytes = utf8ToBytes;
    exports.bytesToUtf8 = bytesToUtf8;
    exports.toBytes = toBytes;
    exports.kdfInputToBytes = kdfInputToBytes;
    exports.concatBytes = concatBytes;
    exports.checkOpts = checkOpts;
    exports.createHasher = createHasher2;
    exports.createOptHasher = createOptHasher;
    exports.createXOFer = createXOFer;
    exports.randomBytes = randomBytes;
    var crypto_1 = require_cryptoNode();
    function isBytes(a) {
      return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array";
    }
    function anumber(n) {
      if (!Number.isSafeInteger(n) || n < 0)
        throw new Error("positive integer expected, got " + n);
    }
    function abytes(b, ...lengths) {
      if (!isBytes(b))
        throw new Error("Uint8Array expected");
      if (lengths.length > 0 && !lengths.includes(b.length))
        throw new Error("Uint8Array expected of length " + lengths + ", got length=" + b.length);
    }
    function ahash(h) {
      if (typeof h !== "function" || typeof h.create !== "function")
        throw new Error("Hash should be wrapped by utils.createHasher");
      anumber(h.outputLen);
      anumber(h.blockLen);
    }
    function aexists(instance, checkFinished = true) {
      if (instance.destroyed)
        throw new Error("Hash instance has been destroyed");
      if (checkFinished && instance.finished)
        throw new Error("Hash#digest() has already been called");
    }
    function aoutput(out, instance) {
      abytes(out);
      const min = instance.outputLen;
      if (out.length < min) {
        throw new Error("digestInto() expects output buffer of length at least " + min);
      }
    }
    function u8(arr) {
      return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    }
    function u32(arr) {
      return new Uint32Array(arr.buffer, arr.byteOffset, Math.floor(arr.byteLength / 4));
    }
    function clean(...arrays) {
      for (let i = 0; i < arrays.length; i++) {
        arrays[i].fill(0);
      }
    }
    function createView(arr) {
      return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
    }
    function rotr(word, shift) {
      return word << 32 - shift | word >>> shift;
    }
    function rotl(word, shift) {
      return word << shift | word >>> 32 - shift >>> 0;
    }
    exports.isLE = (() => new Uint8Array(new Uint32Array([287454020]).buffer)[0] === 68)();
    function byteSwap(word) {
      return word << 24 & 4278190080 | word << 8 & 16711680 | word >>> 8 & 65280 | word >>> 24 & 255;
    }
    exports.swap8IfBE = exports.isLE ? (n) => n : (n) => byteSwap(n);
    exports.byteSwapIfBE = exports.swap8IfBE;
    function byteSwap32(arr) {
      for (let i = 0; i < arr.length; i++) {
        arr[i] = byteSwap(arr[i]);
      }
      return arr;
    }
    exports.swap32IfBE = exports.isLE ? (u) => u : byteSwap32;
    var hasHexBuiltin = /* @__PURE__ */ (() => (
      // @ts-ignore
      typeof Uint8Array.from([]).toHex === "function" && typeof Uint8Array.fromHex === "function"
    ))();
    var hexes = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
    function bytesToHex(bytes) {
      abytes(bytes);
      if (hasHexBuiltin)
        return bytes.toHex();
      let hex = "";
      for (let i = 0; i < bytes.length; i++) {
        hex += hexes[bytes[i]];
      }
      return hex;
    }
    var asciis = { _0: 48, _9: 57, A: 65, F: 70, a: 97, f: 102 };
    function asciiToBase16(ch) {
      if (ch >= asciis._0 && ch <= asciis._9)
        return ch - asciis._0;
      if (ch >= asciis.A && ch <= asciis.F)
        return ch - (asciis.A - 10);
      if (ch >= asciis.a && ch <= asciis.f)
        return ch - (asciis.a - 10);
      return;
    }
    function hexToBytes(hex) {
      if (typeof hex !== "string")
        throw new Error("hex string expected, got " + typeof hex);
      if (hasHexBuiltin)
        return Uint8Array.fromHex(hex);
      const hl = hex.length;
      const al = hl / 2;
      if (hl % 2)
        throw new Error("hex string expected, got unpadded hex of length " + hl);
      const array = new Uint8Array(al);
      for (let ai = 0, hi = 0; ai < al; ai++, hi += 2) {
        const n1 = asciiToBase16(hex.charCodeAt(hi));
        const n2 = asciiToBase16(hex.charCodeAt(hi + 1));
        if (n1 === void 0 || n2 === void 0) {
          const char = hex[hi] + hex[hi + 1];
          throw new Error('hex string expected, got non-hex character "' + char + '" at index ' + hi);
        }
        array[ai] = n1 * 16 + n2;
      }
      return array;
    }
    var nextTick = async () => {
    };
    exports.nextTick = nextTick;
    async function asyncLoop(iters, tick, cb) {
      let ts = Date.now();
      for (let i = 0; i < iters; i++) {
        cb(i);
        const diff = Date.now() - ts;
        if (diff >= 0 && diff < tick)
          continue;
        await (0, exports.nextTick)();
        ts += diff;
      }
    }
    function utf8ToBytes(str) {
      if (typeof str !== "string")
        throw new Error("string expected");
      return new Uint8Array(new TextEncoder().encode(str));
    }
    function bytesToUtf8(bytes) {
      return new TextDecoder().decode(bytes);
    }
    function toBytes(data) {
      if (typeof data === "string")
        data = utf8ToBytes(data);
      abytes(data);
      return data;
    }
    function kdfInputToBytes(data) {
      if (typeof data === "string")
        data = utf8ToBytes(data);
      abytes(data);
      return data;
    }
    function concatBytes(...arrays) {
      let sum = 0;
      for (let i = 0; i < arrays.length; i++) {
        const a = arrays[i];
        abytes(a);
        sum += a.length;
      }
      const res = new Uint8Array(sum);
      for (let i = 0, pad = 0; i < arrays.length; i++) {
        const a = arrays[i];
        res.set(a, pad);
        pad += a.length;
      }
      return res;
    }
    function checkOpts(defaults, opts) {
      if (opts !== void 0 && {}.toString.call(opts) !== "[object Object]")
        throw new Error("options should be object or undefined");
      const merged = Object.assign(defaults, opts);
      return merged;
    }
    var Hash = class {
    };
    exports.Hash = Hash;
    function createHasher2(hashCons) {
      const hashC = (msg) => hashCons().update(toBytes(msg)).digest();
      const tmp = hashCons();
      hashC.outputLen = tmp.outputLen;
      hashC.blockLen = tmp.blockLen;
      hashC.create = () => hashCons();
      return hashC;
    }
    function createOptHasher(hashCons) {
      const hashC = (msg, opts) => hashCons(opts).update(toBytes(msg)).digest();
      const tmp = hashCons({});
      hashC.outputLen = tmp.outputLen;
      hashC.blockLen = tmp.blockLen;
      hashC.create = (opts) => hashCons(opts);
      return hashC;
    }
    function createXOFer(hashCons) {
      const hashC = (msg, opts) => hashCons(opts).update(toBytes(msg)).digest();
      const tmp = hashCons({});
      hashC.outputLen = tmp.outputLen;
      hashC.blockLen = tmp.blockLen;
      hashC.create = (opts) => hashCons(opts);
      return hashC;
    }
    exports.wrapConstructor = createHasher2;
    exports.wrapConstructorWithOpts = createOptHasher;
    exports.wrapXOFConstructorWithOpts = createXOFer;
    function randomBytes(bytesLength = 32) {
      if (crypto_1.crypto && typeof crypto_1.crypto.getRandomValues === "function") {
        return crypto_1.crypto.getRandomValues(new Uint8Array(bytesLength));
      }
      if (crypto_1.crypto && typeof crypto_1.crypto.randomBytes === "function") {
        return Uint8Array.from(crypto_1.crypto.randomBytes(bytesLength));
      }
      throw new Error("crypto.getRandomValues must be defined");
    }
  }
});

// ../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/_md.js
var require_md = __commonJS({
  "../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/_md.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.SHA512_IV = exports.SHA384_IV = exports.SHA224_IV = exports.SHA256_IV = exports.HashMD = void 0;
    exports.setBigUint64 = setBigUint64;
    exports.Chi = Chi;
    exports.Maj = Maj;
    var utils_ts_1 = require_utils();
    function setBigUint64(view, byteOffset, value, isLE) {
      if (typeof view.setBigUint64 === "function")
        return view.setBigUint64(byteOffset, value, isLE);
      const _32n = BigInt(32);
      const _u32_max = BigInt(4294967295);
      const wh = Number(value >> _32n & _u32_max);
      const wl = Number(value & _u32_max);
      const h = isLE ? 4 : 0;
      const l = isLE ? 0 : 4;
      view.setUint32(byteOffset + h, wh, isLE);
      view.setUint32(byteOffset + l, wl, isLE);
    }
    function Chi(a, b, c) {
      return a & b ^ ~a & c;
    }
    function Maj(a, b, c) {
      return a & b ^ a & c ^ b & c;
    }
    var HashMD = class extends utils_ts_1.Hash {
      constructor(blockLen, outputLen, padOffset, isLE) {
        super();
        this.finished = false;
        this.length = 0;
        this.pos = 0;
        this.destroyed = false;
        this.blockLen = blockLen;
        this.outputLen = outputLen;
        this.padOffset = padOffset;
        this.isLE = isLE;
        this.buffer = new Uint8Array(blockLen);
        this.view = (0, utils_ts_1.createView)(this.buffer);
      }
      update(data) {
        (0, utils_ts_1.aexists)(this);
        data = (0, utils_ts_1.toBytes)(data);
        (0, utils_ts_1.abytes)(data);
        const { view, buffer, blockLen } = this;
        const len = data.length;
        for (let pos = 0; pos < len; ) {
          const take = Math.min(blockLen - this.pos, len - pos);
          if (take === blockLen) {
            const dataView = (0, utils_ts_1.createView)(data);
            for (; blockLen <= len - pos; pos += blockLen)
              this.process(dataView, pos);
            continue;
          }
          buffer.set(data.subarray(pos, pos + take), this.pos);
          this.pos += take;
          pos += take;
          if (this.pos === blockLen) {
            this.process(view, 0);
            this.pos = 0;
          }
        }
        this.length += data.length;
        this.roundClean();
        return this;
      }
      digestInto(out) {
        (0, utils_ts_1.aexists)(this);
        (0, utils_ts_1.aoutput)(out, this);
        this.finished = true;
        const { buffer, view, blockLen, isLE } = this;
        let { pos } = this;
        buffer[pos++] = 128;
        (0, utils_ts_1.clean)(this.buffer.subarray(pos));
        if (this.padOffset > blockLen - pos) {
          this.process(view, 0);
          pos = 0;
        }
        for (let i = pos; i < blockLen; i++)
          buffer[i] = 0;
        setBigUint64(view, blockLen - 8, BigInt(this.length * 8), isLE);
        this.process(view, 0);
        const oview = (0, utils_ts_1.createView)(out);
        const len = this.outputLen;
        if (len % 4)
          throw new Error("_sha2: outputLen should be aligned to 32bit");
        const outLen = len / 4;
        const state = this.get();
        if (outLen > state.length)
          throw new Error("_sha2: outputLen bigger than state");
        for (let i = 0; i < outLen; i++)
          oview.setUint32(4 * i, state[i], isLE);
      }
      digest() {
        const { buffer, outputLen } = this;
        this.digestInto(buffer);
        const res = buffer.slice(0, outputLen);
        this.destroy();
        return res;
      }
      _cloneInto(to) {
        to || (to = new this.constructor());
        to.set(...this.get());
        const { blockLen, buffer, length, finished, destroyed, pos } = this;
        to.destroyed = destroyed;
        to.finished = finished;
        to.length = length;
        to.pos = pos;
        if (length % blockLen)
          to.buffer.set(buffer);
        return to;
      }
      clone() {
        return this._cloneInto();
      }
    };
    exports.HashMD = HashMD;
    exports.SHA256_IV = Uint32Array.from([
      1779033703,
      3144134277,
      1013904242,
      2773480762,
      1359893119,
      2600822924,
      528734635,
      1541459225
    ]);
    exports.SHA224_IV = Uint32Array.from([
      3238371032,
      914150663,
      812702999,
      4144912697,
      4290775857,
      1750603025,
      1694076839,
      3204075428
    ]);
    exports.SHA384_IV = Uint32Array.from([
      3418070365,
      3238371032,
      1654270250,
      914150663,
      2438529370,
      812702999,
      355462360,
      4144912697,
      1731405415,
      4290775857,
      2394180231,
      1750603025,
      3675008525,
      1694076839,
      1203062813,
      3204075428
    ]);
    exports.SHA512_IV = Uint32Array.from([
      1779033703,
      4089235720,
      3144134277,
      2227873595,
      1013904242,
      4271175723,
      2773480762,
      1595750129,
      1359893119,
      2917565137,
      2600822924,
      725511199,
      528734635,
      4215389547,
      1541459225,
      327033209
    ]);
  }
});

// ../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/_u64.js
var require_u64 = __commonJS({
  "../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/_u64.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.toBig = exports.shrSL = exports.shrSH = exports.rotrSL = exports.rotrSH = exports.rotrBL = exports.rotrBH = exports.rotr32L = exports.rotr32H = exports.rotlSL = exports.rotlSH = exports.rotlBL = exports.rotlBH = exports.add5L = exports.add5H = exports.add4L = exports.add4H = exports.add3L = exports.add3H = void 0;
    exports.add = add;
    exports.fromBig = fromBig;
    exports.split = split;
    var U32_MASK64 = /* @__PURE__ */ BigInt(2 ** 32 - 1);
    var _32n = /* @__PURE__ */ BigInt(32);
    function fromBig(n, le = false) {
      if (le)
        return { h: Number(n & U32_MASK64), l: Number(n >> _32n & U32_MASK64) };
      return { h: Number(n >> _32n & U32_MASK64) | 0, l: Number(n & U32_MASK64) | 0 };
    }
    function split(lst, le = false) {
      const len = lst.length;
      let Ah = new Uint32Array(len);
      let Al = new Uint32Array(len);
      for (let i = 0; i < len; i++) {
        const { h, l } = fromBig(lst[i], le);
        [Ah[i], Al[i]] = [h, l];
      }
      return [Ah, Al];
    }
    var toBig = (h, l) => BigInt(h >>> 0) << _32n | BigInt(l >>> 0);
    exports.toBig = toBig;
    var shrSH = (h, _l, s) => h >>> s;
    exports.shrSH = shrSH;
    var shrSL = (h, l, s) => h << 32 - s | l >>> s;
    exports.shrSL = shrSL;
    var rotrSH = (h, l, s) => h >>> s | l << 32 - s;
    exports.rotrSH = rotrSH;
    var rotrSL = (h, l, s) => h << 32 - s | l >>> s;
    exports.rotrSL = rotrSL;
    var rotrBH = (h, l, s) => h << 64 - s | l >>> s - 32;
    exports.rotrBH = rotrBH;
    var rotrBL = (h, l, s) => h >>> s - 32 | l << 64 - s;
    exports.rotrBL = rotrBL;
    var rotr32H = (_h, l) => l;
    exports.rotr32H = rotr32H;
    var rotr32L = (h, _l) => h;
    exports.rotr32L = rotr32L;
    var rotlSH = (h, l, s) => h << s | l >>> 32 - s;
    exports.rotlSH = rotlSH;
    var rotlSL = (h, l, s) => l << s | h >>> 32 - s;
    exports.rotlSL = rotlSL;
    var rotlBH = (h, l, s) => l << s - 32 | h >>> 64 - s;
    exports.rotlBH = rotlBH;
    var rotlBL = (h, l, s) => h << s - 32 | l >>> 64 - s;
    exports.rotlBL = rotlBL;
    function add(Ah, Al, Bh, Bl) {
      const l = (Al >>> 0) + (Bl >>> 0);
      return { h: Ah + Bh + (l / 2 ** 32 | 0) | 0, l: l | 0 };
    }
    var add3L = (Al, Bl, Cl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0);
    exports.add3L = add3L;
    var add3H = (low, Ah, Bh, Ch) => Ah + Bh + Ch + (low / 2 ** 32 | 0) | 0;
    exports.add3H = add3H;
    var add4L = (Al, Bl, Cl, Dl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0);
    exports.add4L = add4L;
    var add4H = (low, Ah, Bh, Ch, Dh) => Ah + Bh + Ch + Dh + (low / 2 ** 32 | 0) | 0;
    exports.add4H = add4H;
    var add5L = (Al, Bl, Cl, Dl, El) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0) + (El >>> 0);
    exports.add5L = add5L;
    var add5H = (low, Ah, Bh, Ch, Dh, Eh) => Ah + Bh + Ch + Dh + Eh + (low / 2 ** 32 | 0) | 0;
    exports.add5H = add5H;
    var u64 = {
      fromBig,
      split,
      toBig,
      shrSH,
      shrSL,
      rotrSH,
      rotrSL,
      rotrBH,
      rotrBL,
      rotr32H,
      rotr32L,
      rotlSH,
      rotlSL,
      rotlBH,
      rotlBL,
      add,
      add3L,
      add3H,
      add4L,
      add4H,
      add5H,
      add5L
    };
    exports.default = u64;
  }
});

// ../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/_blake.js
var require_blake = __commonJS({
  "../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/_blake.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.BSIGMA = void 0;
    exports.G1s = G1s;
    exports.G2s = G2s;
    var utils_ts_1 = require_utils();
    exports.BSIGMA = Uint8Array.from([
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
      14,
      10,
      4,
      8,
      9,
      15,
      13,
      6,
      1,
      12,
      0,
      2,
      11,
      7,
      5,
      3,
      11,
      8,
      12,
      0,
      5,
      2,
      15,
      13,
      10,
      14,
      3,
      6,
      7,
      1,
      9,
      4,
      7,
      9,
      3,
      1,
      13,
      12,
      11,
      14,
      2,
      6,
      5,
      10,
      4,
      0,
      15,
      8,
      9,
      0,
      5,
      7,
      2,
      4,
      10,
      15,
      14,
      1,
      11,
      12,
      6,
      8,
      3,
      13,
      2,
      12,
      6,
      10,
      0,
      11,
      8,
      3,
      4,
      13,
      7,
      5,
      15,
      14,
      1,
      9,
      12,
      5,
      1,
      15,
      14,
      13,
      4,
      10,
      0,
      7,
      6,
      3,
      9,
      2,
      8,
      11,
      13,
      11,
      7,
      14,
      12,
      1,
      3,
      9,
      5,
      0,
      15,
      4,
      8,
      6,
      2,
      10,
      6,
      15,
      14,
      9,
      11,
      3,
      0,
      8,
      12,
      2,
      13,
      7,
      1,
      4,
      10,
      5,
      10,
      2,
      8,
      4,
      7,
      6,
      1,
      5,
      15,
      11,
      9,
      14,
      3,
      12,
      13,
      0,
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
      14,
      10,
      4,
      8,
      9,
      15,
      13,
      6,
      1,
      12,
      0,
      2,
      11,
      7,
      5,
      3,
      // Blake1, unused in others
      11,
      8,
      12,
      0,
      5,
      2,
      15,
      13,
      10,
      14,
      3,
      6,
      7,
      1,
      9,
      4,
      7,
      9,
      3,
      1,
      13,
      12,
      11,
      14,
      2,
      6,
      5,
      10,
      4,
      0,
      15,
      8,
      9,
      0,
      5,
      7,
      2,
      4,
      10,
      15,
      14,
      1,
      11,
      12,
      6,
      8,
      3,
      13,
      2,
      12,
      6,
      10,
      0,
      11,
      8,
      3,
      4,
      13,
      7,
      5,
      15,
      14,
      1,
      9
    ]);
    function G1s(a, b, c, d, x) {
      a = a + b + x | 0;
      d = (0, utils_ts_1.rotr)(d ^ a, 16);
      c = c + d | 0;
      b = (0, utils_ts_1.rotr)(b ^ c, 12);
      return { a, b, c, d };
    }
    function G2s(a, b, c, d, x) {
      a = a + b + x | 0;
      d = (0, utils_ts_1.rotr)(d ^ a, 8);
      c = c + d | 0;
      b = (0, utils_ts_1.rotr)(b ^ c, 7);
      return { a, b, c, d };
    }
  }
});

// ../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/blake2.js
var require_blake2 = __commonJS({
  "../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/blake2.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.blake2s = exports.BLAKE2s = exports.blake2b = exports.BLAKE2b = exports.BLAKE2 = void 0;
    exports.compress = compress;
    var _blake_ts_1 = require_blake();
    var _md_ts_1 = require_md();
    var u64 = require_u64();
    var utils_ts_1 = require_utils();
    var B2B_IV = /* @__PURE__ */ Uint32Array.from([
      4089235720,
      1779033703,
      2227873595,
      3144134277,
      4271175723,
      1013904242,
      1595750129,
      2773480762,
      2917565137,
      1359893119,
      725511199,
      2600822924,
      4215389547,
      528734635,
      327033209,
      1541459225
    ]);
    var BBUF = /* @__PURE__ */ new Uint32Array(32);
    function G1b(a, b, c, d, msg, x) {
      const Xl = msg[x], Xh = msg[x + 1];
      let Al = BBUF[2 * a], Ah = BBUF[2 * a + 1];
      let Bl = BBUF[2 * b], Bh = BBUF[2 * b + 1];
      let Cl = BBUF[2 * c], Ch = BBUF[2 * c + 1];
      let Dl = BBUF[2 * d], Dh = BBUF[2 * d + 1];
      let ll = u64.add3L(Al, Bl, Xl);
      Ah = u64.add3H(ll, Ah, Bh, Xh);
      Al = ll | 0;
      ({ Dh, Dl } = { Dh: Dh ^ Ah, Dl: Dl ^ Al });
      ({ Dh, Dl } = { Dh: u64.rotr32H(Dh, Dl), Dl: u64.rotr32L(Dh, Dl) });
      ({ h: Ch, l: Cl } = u64.add(Ch, Cl, Dh, Dl));
      ({ Bh, Bl } = { Bh: Bh ^ Ch, Bl: Bl ^ Cl });
      ({ Bh, Bl } = { Bh: u64.rotrSH(Bh, Bl, 24), Bl: u64.rotrSL(Bh, Bl, 24) });
      BBUF[2 * a] = Al, BBUF[2 * a + 1] = Ah;
      BBUF[2 * b] = Bl, BBUF[2 * b + 1] = Bh;
      BBUF[2 * c] = Cl, BBUF[2 * c + 1] = Ch;
      BBUF[2 * d] = Dl, BBUF[2 * d + 1] = Dh;
    }
    function G2b(a, b, c, d, msg, x) {
      const Xl = msg[x], Xh = msg[x + 1];
      let Al = BBUF[2 * a], Ah = BBUF[2 * a + 1];
      let Bl = BBUF[2 * b], Bh = BBUF[2 * b + 1];
      let Cl = BBUF[2 * c], Ch = BBUF[2 * c + 1];
      let Dl = BBUF[2 * d], Dh = BBUF[2 * d + 1];
      let ll = u64.add3L(Al, Bl, Xl);
      Ah = u64.add3H(ll, Ah, Bh, Xh);
      Al = ll | 0;
      ({ Dh, Dl } = { Dh: Dh ^ Ah, Dl: Dl ^ Al });
      ({ Dh, Dl } = { Dh: u64.rotrSH(Dh, Dl, 16), Dl: u64.rotrSL(Dh, Dl, 16) });
      ({ h: Ch, l: Cl } = u64.add(Ch, Cl, Dh, Dl));
      ({ Bh, Bl } = { Bh: Bh ^ Ch, Bl: Bl ^ Cl });
      ({ Bh, Bl } = { Bh: u64.rotrBH(Bh, Bl, 63), Bl: u64.rotrBL(Bh, Bl, 63) });
      BBUF[2 * a] = Al, BBUF[2 * a + 1] = Ah;
      BBUF[2 * b] = Bl, BBUF[2 * b + 1] = Bh;
      BBUF[2 * c] = Cl, BBUF[2 * c + 1] = Ch;
      BBUF[2 * d] = Dl, BBUF[2 * d + 1] = Dh;
    }
    function checkBlake2Opts(outputLen, opts = {}, keyLen, saltLen, persLen) {
      (0, utils_ts_1.anumber)(keyLen);
      if (outputLen < 0 || outputLen > keyLen)
        throw new Error("outputLen bigger than keyLen");
      const { key, salt, personalization } = opts;
      if (key !== void 0 && (key.length < 1 || key.length > keyLen))
        throw new Error("key length must be undefined or 1.." + keyLen);
      if (salt !== void 0 && salt.length !== saltLen)
        throw new Error("salt must be undefined or " + saltLen);
      if (personalization !== void 0 && personalization.length !== persLen)
        throw new Error("personalization must be undefined or " + persLen);
    }
    var BLAKE2 = class extends utils_ts_1.Hash {
      constructor(blockLen, outputLen) {
        super();
        this.finished = false;
        this.destroyed = false;
        this.length = 0;
        this.pos = 0;
        (0, utils_ts_1.anumber)(blockLen);
        (0, utils_ts_1.anumber)(outputLen);
        this.blockLen = blockLen;
        this.outputLen = outputLen;
        this.buffer = new Uint8Array(blockLen);
        this.buffer32 = (0, utils_ts_1.u32)(this.buffer);
      }
      update(data) {
        (0, utils_ts_1.aexists)(this);
        data = (0, utils_ts_1.toBytes)(data);
        (0, utils_ts_1.abytes)(data);
        const { blockLen, buffer, buffer32 } = this;
        const len = data.length;
        const offset = data.byteOffset;
        const buf2 = data.buffer;
        for (let pos = 0; pos < len; ) {
          if (this.pos === blockLen) {
            (0, utils_ts_1.swap32IfBE)(buffer32);
            this.compress(buffer32, 0, false);
            (0, utils_ts_1.swap32IfBE)(buffer32);
            this.pos = 0;
          }
          const take = Math.min(blockLen - this.pos, len - pos);
          const dataOffset = offset + pos;
          if (take === blockLen && !(dataOffset % 4) && pos + take < len) {
            const data32 = new Uint32Array(buf2, dataOffset, Math.floor((len - pos) / 4));
            (0, utils_ts_1.swap32IfBE)(data32);
            for (let pos32 = 0; pos + blockLen < len; pos32 += buffer32.length, pos += blockLen) {
              this.length += blockLen;
              this.compress(data32, pos32, false);
            }
            (0, utils_ts_1.swap32IfBE)(data32);
            continue;
          }
          buffer.set(data.subarray(pos, pos + take), this.pos);
          this.pos += take;
          this.length += take;
          pos += take;
        }
        return this;
      }
      digestInto(out) {
        (0, utils_ts_1.aexists)(this);
        (0, utils_ts_1.aoutput)(out, this);
        const { pos, buffer32 } = this;
        this.finished = true;
        (0, utils_ts_1.clean)(this.buffer.subarray(pos));
        (0, utils_ts_1.swap32IfBE)(buffer32);
        this.compress(buffer32, 0, true);
        (0, utils_ts_1.swap32IfBE)(buffer32);
        const out32 = (0, utils_ts_1.u32)(out);
        this.get().forEach((v, i) => out32[i] = (0, utils_ts_1.swap8IfBE)(v));
      }
      digest() {
        const { buffer, outputLen } = this;
        this.digestInto(buffer);
        const res = buffer.slice(0, outputLen);
        this.destroy();
        return res;
      }
      _cloneInto(to) {
        const { buffer, length, finished, destroyed, outputLen, pos } = this;
        to || (to = new this.constructor({ dkLen: outputLen }));
        to.set(...this.get());
        to.buffer.set(buffer);
        to.destroyed = destroyed;
        to.finished = finished;
        to.length = length;
        to.pos = pos;
        to.outputLen = outputLen;
        return to;
      }
      clone() {
        return this._cloneInto();
      }
    };
    exports.BLAKE2 = BLAKE2;
    var BLAKE2b = class extends BLAKE2 {
      constructor(opts = {}) {
        const olen = opts.dkLen === void 0 ? 64 : opts.dkLen;
        super(128, olen);
        this.v0l = B2B_IV[0] | 0;
        this.v0h = B2B_IV[1] | 0;
        this.v1l = B2B_IV[2] | 0;
        this.v1h = B2B_IV[3] | 0;
        this.v2l = B2B_IV[4] | 0;
        this.v2h = B2B_IV[5] | 0;
        this.v3l = B2B_IV[6] | 0;
        this.v3h = B2B_IV[7] | 0;
        this.v4l = B2B_IV[8] | 0;
        this.v4h = B2B_IV[9] | 0;
        this.v5l = B2B_IV[10] | 0;
        this.v5h = B2B_IV[11] | 0;
        this.v6l = B2B_IV[12] | 0;
        this.v6h = B2B_IV[13] | 0;
        this.v7l = B2B_IV[14] | 0;
        this.v7h = B2B_IV[15] | 0;
        checkBlake2Opts(olen, opts, 64, 16, 16);
        let { key, personalization, salt } = opts;
        let keyLength = 0;
        if (key !== void 0) {
          key = (0, utils_ts_1.toBytes)(key);
          keyLength = key.length;
        }
        this.v0l ^= this.outputLen | keyLength << 8 | 1 << 16 | 1 << 24;
        if (salt !== void 0) {
          salt = (0, utils_ts_1.toBytes)(salt);
          const slt = (0, utils_ts_1.u32)(salt);
          this.v4l ^= (0, utils_ts_1.swap8IfBE)(slt[0]);
          this.v4h ^= (0, utils_ts_1.swap8IfBE)(slt[1]);
          this.v5l ^= (0, utils_ts_1.swap8IfBE)(slt[2]);
          this.v5h ^= (0, utils_ts_1.swap8IfBE)(slt[3]);
        }
        if (personalization !== void 0) {
          personalization = (0, utils_ts_1.toBytes)(personalization);
          const pers = (0, utils_ts_1.u32)(personalization);
          this.v6l ^= (0, utils_ts_1.swap8IfBE)(pers[0]);
          this.v6h ^= (0, utils_ts_1.swap8IfBE)(pers[1]);
          this.v7l ^= (0, utils_ts_1.swap8IfBE)(pers[2]);
          this.v7h ^= (0, utils_ts_1.swap8IfBE)(pers[3]);
        }
        if (key !== void 0) {
          const tmp = new Uint8Array(this.blockLen);
          tmp.set(key);
          this.update(tmp);
        }
      }
      // prettier-ignore
      get() {
        let { v0l, v0h, v1l, v1h, v2l, v2h, v3l, v3h, v4l, v4h, v5l, v5h, v6l, v6h, v7l, v7h } = this;
        return [v0l, v0h, v1l, v1h, v2l, v2h, v3l, v3h, v4l, v4h, v5l, v5h, v6l, v6h, v7l, v7h];
      }
      // prettier-ignore
      set(v0l, v0h, v1l, v1h, v2l, v2h, v3l, v3h, v4l, v4h, v5l, v5h, v6l, v6h, v7l, v7h) {
        this.v0l = v0l | 0;
        this.v0h = v0h | 0;
        this.v1l = v1l | 0;
        this.v1h = v1h | 0;
        this.v2l = v2l | 0;
        this.v2h = v2h | 0;
        this.v3l = v3l | 0;
        this.v3h = v3h | 0;
        this.v4l = v4l | 0;
        this.v4h = v4h | 0;
        this.v5l = v5l | 0;
        this.v5h = v5h | 0;
        this.v6l = v6l | 0;
        this.v6h = v6h | 0;
        this.v7l = v7l | 0;
        this.v7h = v7h | 0;
      }
      compress(msg, offset, isLast) {
        this.get().forEach((v, i) => BBUF[i] = v);
        BBUF.set(B2B_IV, 16);
        let { h, l } = u64.fromBig(BigInt(this.length));
        BBUF[24] = B2B_IV[8] ^ l;
        BBUF[25] = B2B_IV[9] ^ h;
        if (isLast) {
          BBUF[28] = ~BBUF[28];
          BBUF[29] = ~BBUF[29];
        }
        let j = 0;
        const s = _blake_ts_1.BSIGMA;
        for (let i = 0; i < 12; i++) {
          G1b(0, 4, 8, 12, msg, offset + 2 * s[j++]);
          G2b(0, 4, 8, 12, msg, offset + 2 * s[j++]);
          G1b(1, 5, 9, 13, msg, offset + 2 * s[j++]);
          G2b(1, 5, 9, 13, msg, offset + 2 * s[j++]);
          G1b(2, 6, 10, 14, msg, offset + 2 * s[j++]);
          G2b(2, 6, 10, 14, msg, offset + 2 * s[j++]);
          G1b(3, 7, 11, 15, msg, offset + 2 * s[j++]);
          G2b(3, 7, 11, 15, msg, offset + 2 * s[j++]);
          G1b(0, 5, 10, 15, msg, offset + 2 * s[j++]);
          G2b(0, 5, 10, 15, msg, offset + 2 * s[j++]);
          G1b(1, 6, 11, 12, msg, offset + 2 * s[j++]);
          G2b(1, 6, 11, 12, msg, offset + 2 * s[j++]);
          G1b(2, 7, 8, 13, msg, offset + 2 * s[j++]);
          G2b(2, 7, 8, 13, msg, offset + 2 * s[j++]);
          G1b(3, 4, 9, 14, msg, offset + 2 * s[j++]);
          G2b(3, 4, 9, 14, msg, offset + 2 * s[j++]);
        }
        this.v0l ^= BBUF[0] ^ BBUF[16];
        this.v0h ^= BBUF[1] ^ BBUF[17];
        this.v1l ^= BBUF[2] ^ BBUF[18];
        this.v1h ^= BBUF[3] ^ BBUF[19];
        this.v2l ^= BBUF[4] ^ BBUF[20];
        this.v2h ^= BBUF[5] ^ BBUF[21];
        this.v3l ^= BBUF[6] ^ BBUF[22];
        this.v3h ^= BBUF[7] ^ BBUF[23];
        this.v4l ^= BBUF[8] ^ BBUF[24];
        this.v4h ^= BBUF[9] ^ BBUF[25];
        this.v5l ^= BBUF[10] ^ BBUF[26];
        this.v5h ^= BBUF[11] ^ BBUF[27];
        this.v6l ^= BBUF[12] ^ BBUF[28];
        this.v6h ^= BBUF[13] ^ BBUF[29];
        this.v7l ^= BBUF[14] ^ BBUF[30];
        this.v7h ^= BBUF[15] ^ BBUF[31];
        (0, utils_ts_1.clean)(BBUF);
      }
      destroy() {
        this.destroyed = true;
        (0, utils_ts_1.clean)(this.buffer32);
        this.set(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
      }
    };
    exports.BLAKE2b = BLAKE2b;
    exports.blake2b = (0, utils_ts_1.createOptHasher)((opts) => new BLAKE2b(opts));
    function compress(s, offset, msg, rounds, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15) {
      let j = 0;
      for (let i = 0; i < rounds; i++) {
        ({ a: v0, b: v4, c: v8, d: v12 } = (0, _blake_ts_1.G1s)(v0, v4, v8, v12, msg[offset + s[j++]]));
        ({ a: v0, b: v4, c: v8, d: v12 } = (0, _blake_ts_1.G2s)(v0, v4, v8, v12, msg[offset + s[j++]]));
        ({ a: v1, b: v5, c: v9, d: v13 } = (0, _blake_ts_1.G1s)(v1, v5, v9, v13, msg[offset + s[j++]]));
        ({ a: v1, b: v5, c: v9, d: v13 } = (0, _blake_ts_1.G2s)(v1, v5, v9, v13, msg[offset + s[j++]]));
        ({ a: v2, b: v6, c: v10, d: v14 } = (0, _blake_ts_1.G1s)(v2, v6, v10, v14, msg[offset + s[j++]]));
        ({ a: v2, b: v6, c: v10, d: v14 } = (0, _blake_ts_1.G2s)(v2, v6, v10, v14, msg[offset + s[j++]]));
        ({ a: v3, b: v7, c: v11, d: v15 } = (0, _blake_ts_1.G1s)(v3, v7, v11, v15, msg[offset + s[j++]]));
        ({ a: v3, b: v7, c: v11, d: v15 } = (0, _blake_ts_1.G2s)(v3, v7, v11, v15, msg[offset + s[j++]]));
        ({ a: v0, b: v5, c: v10, d: v15 } = (0, _blake_ts_1.G1s)(v0, v5, v10, v15, msg[offset + s[j++]]));
        ({ a: v0, b: v5, c: v10, d: v15 } = (0, _blake_ts_1.G2s)(v0, v5, v10, v15, msg[offset + s[j++]]));
        ({ a: v1, b: v6, c: v11, d: v12 } = (0, _blake_ts_1.G1s)(v1, v6, v11, v12, msg[offset + s[j++]]));
        ({ a: v1, b: v6, c: v11, d: v12 } = (0, _blake_ts_1.G2s)(v1, v6, v11, v12, msg[offset + s[j++]]));
        ({ a: v2, b: v7, c: v8, d: v13 } = (0, _blake_ts_1.G1s)(v2, v7, v8, v13, msg[offset + s[j++]]));
        ({ a: v2, b: v7, c: v8, d: v13 } = (0, _blake_ts_1.G2s)(v2, v7, v8, v13, msg[offset + s[j++]]));
        ({ a: v3, b: v4, c: v9, d: v14 } = (0, _blake_ts_1.G1s)(v3, v4, v9, v14, msg[offset + s[j++]]));
        ({ a: v3, b: v4, c: v9, d: v14 } = (0, _blake_ts_1.G2s)(v3, v4, v9, v14, msg[offset + s[j++]]));
      }
      return { v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15 };
    }
    var B2S_IV = _md_ts_1.SHA256_IV;
    var BLAKE2s = class extends BLAKE2 {
      constructor(opts = {}) {
        const olen = opts.dkLen === void 0 ? 32 : opts.dkLen;
        super(64, olen);
        this.v0 = B2S_IV[0] | 0;
        this.v1 = B2S_IV[1] | 0;
        this.v2 = B2S_IV[2] | 0;
        this.v3 = B2S_IV[3] | 0;
        this.v4 = B2S_IV[4] | 0;
        this.v5 = B2S_IV[5] | 0;
        this.v6 = B2S_IV[6] | 0;
        this.v7 = B2S_IV[7] | 0;
        checkBlake2Opts(olen, opts, 32, 8, 8);
        let { key, personalization, salt } = opts;
        let keyLength = 0;
        if (key !== void 0) {
          key = (0, utils_ts_1.toBytes)(key);
          keyLength = key.length;
        }
        this.v0 ^= this.outputLen | keyLength << 8 | 1 << 16 | 1 << 24;
        if (salt !== void 0) {
          salt = (0, utils_ts_1.toBytes)(salt);
          const slt = (0, utils_ts_1.u32)(salt);
          this.v4 ^= (0, utils_ts_1.swap8IfBE)(slt[0]);
          this.v5 ^= (0, utils_ts_1.swap8IfBE)(slt[1]);
        }
        if (personalization !== void 0) {
          personalization = (0, utils_ts_1.toBytes)(personalization);
          const pers = (0, utils_ts_1.u32)(personalization);
          this.v6 ^= (0, utils_ts_1.swap8IfBE)(pers[0]);
          this.v7 ^= (0, utils_ts_1.swap8IfBE)(pers[1]);
        }
        if (key !== void 0) {
          (0, utils_ts_1.abytes)(key);
          const tmp = new Uint8Array(this.blockLen);
          tmp.set(key);
          this.update(tmp);
        }
      }
      get() {
        const { v0, v1, v2, v3, v4, v5, v6, v7 } = this;
        return [v0, v1, v2, v3, v4, v5, v6, v7];
      }
      // prettier-ignore
      set(v0, v1, v2, v3, v4, v5, v6, v7) {
        this.v0 = v0 | 0;
        this.v1 = v1 | 0;
        this.v2 = v2 | 0;
        this.v3 = v3 | 0;
        this.v4 = v4 | 0;
        this.v5 = v5 | 0;
        this.v6 = v6 | 0;
        this.v7 = v7 | 0;
      }
      compress(msg, offset, isLast) {
        const { h, l } = u64.fromBig(BigInt(this.length));
        const { v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15 } = compress(_blake_ts_1.BSIGMA, offset, msg, 10, this.v0, this.v1, this.v2, this.v3, this.v4, this.v5, this.v6, this.v7, B2S_IV[0], B2S_IV[1], B2S_IV[2], B2S_IV[3], l ^ B2S_IV[4], h ^ B2S_IV[5], isLast ? ~B2S_IV[6] : B2S_IV[6], B2S_IV[7]);
        this.v0 ^= v0 ^ v8;
        this.v1 ^= v1 ^ v9;
        this.v2 ^= v2 ^ v10;
        this.v3 ^= v3 ^ v11;
        this.v4 ^= v4 ^ v12;
        this.v5 ^= v5 ^ v13;
        this.v6 ^= v6 ^ v14;
        this.v7 ^= v7 ^ v15;
      }
      destroy() {
        this.destroyed = true;
        (0, utils_ts_1.clean)(this.buffer32);
        this.set(0, 0, 0, 0, 0, 0, 0, 0);
      }
    };
    exports.BLAKE2s = BLAKE2s;
    exports.blake2s = (0, utils_ts_1.createOptHasher)((opts) => new BLAKE2s(opts));
  }
});

// ../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/blake3.js
var require_blake3 = __commonJS({
  "../../node_modules/.pnpm/@noble+hashes@1.8.0/node_modules/@noble/hashes/blake3.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.blake3 = exports.BLAKE3 = void 0;
    var _md_ts_1 = require_md();
    var _u64_ts_1 = require_u64();
    var blake2_ts_1 = require_blake2();
    var utils_ts_1 = require_utils();
    var B3_Flags = {
      CHUNK_START: 1,
      CHUNK_END: 2,
      PARENT: 4,
      ROOT: 8,
      KEYED_HASH: 16,
      DERIVE_KEY_CONTEXT: 32,
      DERIVE_KEY_MATERIAL: 64
    };
    var B3_IV = _md_ts_1.SHA256_IV.slice();
    var B3_SIGMA = /* @__PURE__ */ (() => {
      const Id = Array.from({ length: 16 }, (_, i) => i);
      const permute = (arr) => [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8].map((i) => arr[i]);
      const res = [];
      for (let i = 0, v = Id; i < 7; i++, v = permute(v))
        res.push(...v);
      return Uint8Array.from(res);
    })();
    var BLAKE3 = class _BLAKE3 extends blake2_ts_1.BLAKE2 {
      constructor(opts = {}, flags = 0) {
        super(64, opts.dkLen === void 0 ? 32 : opts.dkLen);
        this.chunkPos = 0;
        this.chunksDone = 0;
        this.flags = 0 | 0;
        this.stack = [];
        this.posOut = 0;
        this.bufferOut32 = new Uint32Array(16);
        this.chunkOut = 0;
        this.enableXOF = true;
        const { key, context } = opts;
        const hasContext = context !== void 0;
        if (key !== void 0) {
          if (hasContext)
            throw new Error('Only "key" or "context" can be specified at same time');
          const k = (0, utils_ts_1.toBytes)(key).slice();
          (0, utils_ts_1.abytes)(k, 32);
          this.IV = (0, utils_ts_1.u32)(k);
          (0, utils_ts_1.swap32IfBE)(this.IV);
          this.flags = flags | B3_Flags.KEYED_HASH;
        } else if (hasContext) {
          const ctx = (0, utils_ts_1.toBytes)(context);
          const contextKey = new _BLAKE3({ dkLen: 32 }, B3_Flags.DERIVE_KEY_CONTEXT).update(ctx).digest();
          this.IV = (0, utils_ts_1.u32)(contextKey);
          (0, utils_ts_1.swap32IfBE)(this.IV);
          this.flags = flags | B3_Flags.DERIVE_KEY_MATERIAL;
        } else {
          this.IV = B3_IV.slice();
          this.flags = flags;
        }
        this.state = this.IV.slice();
        this.bufferOut = (0, utils_ts_1.u8)(this.bufferOut32);
      }
      // Unused
      get() {
        return [];
      }
      set() {
      }
      b2Compress(counter, flags, buf2, bufPos = 0) {
        const { state: s, pos } = this;
        const { h, l } = (0, _u64_ts_1.fromBig)(BigInt(counter), true);
        const { v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15 } = (0, blake2_ts_1.compress)(B3_SIGMA, bufPos, buf2, 7, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], B3_IV[0], B3_IV[1], B3_IV[2], B3_IV[3], h, l, pos, flags);
        s[0] = v0 ^ v8;
        s[1] = v1 ^ v9;
        s[2] = v2 ^ v10;
        s[3] = v3 ^ v11;
        s[4] = v4 ^ v12;
        s[5] = v5 ^ v13;
        s[6] = v6 ^ v14;
        s[7] = v7 ^ v15;
      }
      compress(buf2, bufPos = 0, isLast = false) {
        let flags = this.flags;
        if (!this.chunkPos)
          flags |= B3_Flags.CHUNK_START;
        if (this.chunkPos === 15 || isLast)
          flags |= B3_Flags.CHUNK_END;
        if (!isLast)
          this.pos = this.blockLen;
        this.b2Compress(this.chunksDone, flags, buf2, bufPos);
        this.chunkPos += 1;
        if (this.chunkPos === 16 || isLast) {
          let chunk = this.state;
          this.state = this.IV.slice();
          for (let last, chunks = this.chunksDone + 1; isLast || !(chunks & 1); chunks >>= 1) {
            if (!(last = this.stack.pop()))
              break;
            this.buffer32.set(last, 0);
            this.buffer32.set(chunk, 8);
            this.pos = this.blockLen;
            this.b2Compress(0, this.flags | B3_Flags.PARENT, this.buffer32, 0);
            chunk = this.state;
            this.state = this.IV.slice();
          }
          this.chunksDone++;
          this.chunkPos = 0;
          this.stack.push(chunk);
        }
        this.pos = 0;
      }
      _cloneInto(to) {
        to = super._cloneInto(to);
        const { IV, flags, state, chunkPos, posOut, chunkOut, stack, chunksDone } = this;
        to.state.set(state.slice());
        to.stack = stack.map((i) => Uint32Array.from(i));
        to.IV.set(IV);
        to.flags = flags;
        to.chunkPos = chunkPos;
        to.chunksDone = chunksDone;
        to.posOut = posOut;
        to.chunkOut = chunkOut;
        to.enableXOF = this.enableXOF;
        to.bufferOut32.set(this.bufferOut32);
        return to;
      }
      destroy() {
        this.destroyed = true;
        (0, utils_ts_1.clean)(this.state, this.buffer32, this.IV, this.bufferOut32);
        (0, utils_ts_1.clean)(...this.stack);
      }
      // Same as b2Compress, but doesn't modify state and returns 16 u32 array (instead of 8)
      b2CompressOut() {
        const { state: s, pos, flags, buffer32, bufferOut32: out32 } = this;
        const { h, l } = (0, _u64_ts_1.fromBig)(BigInt(this.chunkOut++));
        (0, utils_ts_1.swap32IfBE)(buffer32);
        const { v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15 } = (0, blake2_ts_1.compress)(B3_SIGMA, 0, buffer32, 7, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], B3_IV[0], B3_IV[1], B3_IV[2], B3_IV[3], l, h, pos, flags);
        out32[0] = v0 ^ v8;
        out32[1] = v1 ^ v9;
        out32[2] = v2 ^ v10;
        out32[3] = v3 ^ v11;
        out32[4] = v4 ^ v12;
        out32[5] = v5 ^ v13;
        out32[6] = v6 ^ v14;
        out32[7] = v7 ^ v15;
        out32[8] = s[0] ^ v8;
        out32[9] = s[1] ^ v9;
        out32[10] = s[2] ^ v10;
        out32[11] = s[3] ^ v11;
        out32[12] = s[4] ^ v12;
        out32[13] = s[5] ^ v13;
        out32[14] = s[6] ^ v14;
        out32[15] = s[7] ^ v15;
        (0, utils_ts_1.swap32IfBE)(buffer32);
        (0, utils_ts_1.swap32IfBE)(out32);
        this.posOut = 0;
      }
      finish() {
        if (this.finished)
          return;
        this.finished = true;
        (0, utils_ts_1.clean)(this.buffer.subarray(this.pos));
        let flags = this.flags | B3_Flags.ROOT;
        if (this.stack.length) {
          flags |= B3_Flags.PARENT;
          (0, utils_ts_1.swap32IfBE)(this.buffer32);
          this.compress(this.buffer32, 0, true);
          (0, utils_ts_1.swap32IfBE)(this.buffer32);
          this.chunksDone = 0;
          this.pos = this.blockLen;
        } else {
          flags |= (!this.chunkPos ? B3_Flags.CHUNK_START : 0) | B3_Flags.CHUNK_END;
        }
        this.flags = flags;
        this.b2CompressOut();
      }
      writeInto(out) {
        (0, utils_ts_1.aexists)(this, false);
        (0, utils_ts_1.abytes)(out);
        this.finish();
        const { blockLen, bufferOut } = this;
        for (let pos = 0, len = out.length; pos < len; ) {
          if (this.posOut >= blockLen)
            this.b2CompressOut();
          const take = Math.min(blockLen - this.posOut, len - pos);
          out.set(bufferOut.subarray(this.posOut, this.posOut + take), pos);
          this.posOut += take;
          pos += take;
        }
        return out;
      }
      xofInto(out) {
        if (!this.enableXOF)
          throw new Error("XOF is not possible after digest call");
        return this.writeInto(out);
      }
      xof(bytes) {
        (0, utils_ts_1.anumber)(bytes);
        return this.xofInto(new Uint8Array(bytes));
      }
      digestInto(out) {
        (0, utils_ts_1.aoutput)(out, this);
        if (this.finished)
          throw new Error("digest() was already called");
        this.enableXOF = false;
        this.writeInto(out);
        this.destroy();
        return out;
      }
      digest() {
        return this.digestInto(new Uint8Array(this.outputLen));
      }
    };
    exports.BLAKE3 = BLAKE3;
    exports.blake3 = (0, utils_ts_1.createXOFer)((opts) => new BLAKE3(opts));
  }
});

// ../core/dist/digest/hash-worker.js
import { parentPort } from "node:worker_threads";

// ../core/dist/digest/batch-claims.js
var NEXT = 0;
var ABORT = 1;
var FLAGS = 2;
var BatchClaims = class {
  shared;
  count;
  ctrl;
  back;
  /** `shared` comes from `BatchClaims.allocate(count)` (the same memory on every thread). */
  constructor(shared, count) {
    this.shared = shared;
    this.count = count;
    this.ctrl = new Int32Array(shared);
    this.back = count - 1;
  }
  static allocate(count) {
    return new SharedArrayBuffer((FLAGS + count) * Int32Array.BYTES_PER_ELEMENT);
  }
  /** The next batch from the front, or -1 when the front met the back (or on abort). */
  front() {
    if (Atomics.load(this.ctrl, ABORT) !== 0)
      return -1;
    const b = Atomics.add(this.ctrl, NEXT, 1);
    if (b >= this.count)
      return -1;
    return Atomics.compareExchange(this.ctrl, FLAGS + b, 0, 1) === 0 ? b : -1;
  }
  /** The next batch from the back; only one thread may take from the back. */
  fromBack() {
    if (this.back < 0 || Atomics.load(this.ctrl, ABORT) !== 0)
      return -1;
    const b = this.back--;
    if (Atomics.compareExchange(this.ctrl, FLAGS + b, 0, 1) === 0)
      return b;
    this.back = -1;
    return -1;
  }
  abort() {
    Atomics.store(this.ctrl, ABORT, 1);
  }
};

// ../core/dist/digest/hasher.js
import * as nodeCrypto from "node:crypto";
import { createHash } from "node:crypto";

// ../core/dist/errors.js
var INPUT_CODES = [
  "USAGE",
  "NOT_FOUND",
  "UNREADABLE",
  "EMPTY_MODEL",
  "SYMLINK",
  "MALFORMED_BUNDLE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNSUPPORTED_KEY",
  "BAD_PASSWORD",
  "MISSING_IDENTITY_TOKEN",
  "SIGSTORE_SERVICE",
  "TRUST_ROOT",
  "BAD_REFERENCE",
  "REGISTRY",
  "REGISTRY_AUTH",
  "MANIFEST_TOO_LARGE",
  "UNSUPPORTED_ARTIFACT",
  "DEST_EXISTS",
  "UNWRITABLE",
  "NAME_TOO_LONG",
  "NOT_A_DIRECTORY",
  "BUSY",
  "TIMEOUT",
  "BUNDLE_TOO_LARGE",
  "POLICY_INVALID",
  "INVALID_SBOM",
  "INVALID_PROVENANCE",
  "ATTESTATION_STORE",
  "UNPORTABLE_PATH",
  "MALFORMED_REVIEW",
  "TOO_MANY_REFERRERS"
];
var SIGNATURE_VERIFICATION_CODES = [
  "BAD_SIGNATURE",
  "WRONG_KEY",
  "UNTRUSTED_CHAIN",
  "CERTIFICATE_EXPIRED",
  "KEY_USAGE",
  "IDENTITY_MISMATCH",
  "ISSUER_MISMATCH",
  "EXTENSION_MISMATCH",
  "TLOG_MISSING",
  "TLOG_INVALID",
  "SCT_INVALID",
  "TIMESTAMP_INVALID"
];
var VERIFICATION_CODES = [
  "TAMPERED_FILE",
  "MISSING_FILE",
  "EXTRA_FILE",
  ...SIGNATURE_VERIFICATION_CODES,
  "MANIFEST_INCONSISTENT",
  "DIGEST_MISMATCH",
  "UNSAFE_PATH",
  "IGNORED_PATH",
  "SIGNATURE_MISSING",
  "ATTESTATION_MISSING",
  "SUBJECT_MISMATCH",
  "PROVENANCE_REJECTED",
  "LICENSE_DENIED",
  "MODEL_CARD_INCOMPLETE",
  "WEIGHT_FORMAT_DENIED",
  "SCAN_FAILED"
];
var ErrorCodes = Object.fromEntries([...INPUT_CODES, ...VERIFICATION_CODES].map((c) => [c, c]));
var IS_VERIFICATION = new Set(VERIFICATION_CODES);
var IS_SIGNATURE_FAULT = /* @__PURE__ */ new Set([
  ...SIGNATURE_VERIFICATION_CODES,
  "MALFORMED_BUNDLE"
]);
var ModelsealError = class extends Error {
  code;
  /** Extra machine-readable facts (file names, digests, status codes). Never secrets. */
  details;
  /** The option that gets past this error, when one does (see ErrorRemedy). */
  remedy;
  constructor(code, message, options) {
    super(message, options?.cause !== void 0 ? { cause: options.cause } : void 0);
    this.name = "ModelsealError";
    this.code = code;
    this.details = options?.details;
    if (options?.remedy)
      this.remedy = options.remedy;
  }
  get kind() {
    return IS_VERIFICATION.has(this.code) ? "verification" : "input";
  }
};

// ../core/dist/lazy-module.js
var loaders = {
  "@napi-rs/blake-hash": () => {
    throw new Error("@napi-rs/blake-hash is not bundled in the Action");
  },
  "@noble/hashes/blake3": () => require_blake3()
};
function lazyModule(id) {
  let loaded;
  return () => {
    const load = loaders[id];
    if (!load) throw new Error(`${id} is not bundled in the Action`);
    return loaded ??= load();
  };
}

// ../core/dist/digest/blake3.js
var nativeModule = lazyModule("@napi-rs/blake-hash");
var loadNoble = lazyModule("@noble/hashes/blake3");
var native;
function loadNative() {
  if (native === void 0) {
    try {
      native = nativeModule();
    } catch {
      native = null;
    }
  }
  return native;
}
function blake3Implementation() {
  return loadNative() ? "native" : "js";
}
function createBlake3Hasher(impl = blake3Implementation()) {
  if (impl === "native") {
    const mod = loadNative();
    if (!mod)
      throw new Error("the native BLAKE3 module does not load on this platform");
    const h2 = new mod.Blake3Hasher();
    return { update: (b) => void h2.update(b), digest: () => h2.digestBuffer() };
  }
  const h = loadNoble().blake3.create({});
  return {
    update: (b) => void h.update(b),
    digest: () => {
      const d = h.digest();
      return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    }
  };
}
function blake3Once(bytes) {
  const mod = loadNative();
  if (mod)
    return mod.blake3(bytes);
  const d = loadNoble().blake3(bytes);
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

// ../core/dist/digest/hasher.js
var HASH_ALGORITHMS = ["sha256", "blake2b", "blake3"];
function createHasher(alg) {
  switch (alg) {
    case "sha256":
    case "blake2b": {
      const h = createHash(alg === "sha256" ? "sha256" : "blake2b512");
      return { update: (b) => void h.update(b), digest: () => h.digest() };
    }
    case "blake3":
      return createBlake3Hasher();
    default:
      throw new ModelsealError("USAGE", `unsupported hash algorithm '${String(alg)}' (use sha256, blake2b or blake3)`);
  }
}
var oneShot = nodeCrypto.hash;
function digestOnce(alg, bytes) {
  if (alg === "blake3")
    return blake3Once(bytes);
  if (oneShot)
    return oneShot(alg === "sha256" ? "sha256" : "blake2b512", bytes, "buffer");
  const h = createHasher(alg);
  h.update(bytes);
  return h.digest();
}

// ../core/dist/digest/hash-job.js
var PER_ITEM = 8;
var JobView = class {
  text;
  ends;
  ranges;
  algs;
  batchItems;
  batchEnds;
  constructor(job) {
    this.text = Buffer.from(job.text);
    this.ends = new Float64Array(job.ends);
    this.ranges = new Float64Array(job.ranges);
    this.algs = new Uint8Array(job.algs);
    this.batchItems = new Int32Array(job.batchItems);
    this.batchEnds = new Int32Array(job.batchEnds);
  }
  get batchCount() {
    return this.batchEnds.length;
  }
  /** The item indices of batch `b`. */
  batch(b) {
    return this.batchItems.subarray(b === 0 ? 0 : this.batchEnds[b - 1], this.batchEnds[b]);
  }
  /** Item `i`, rebuilt. */
  item(i) {
    const start = i === 0 ? 0 : this.ends[2 * i - 1];
    const r = PER_ITEM * i;
    const x = this.ranges;
    const expect = x[r + 2];
    const stamp = Number.isNaN(x[r + 3]) ? void 0 : { dev: x[r + 3], ino: x[r + 4], size: x[r + 5], mtimeMs: x[r + 6], ctimeMs: x[r + 7] };
    return {
      path: this.text.toString("utf8", start, this.ends[2 * i]),
      name: this.text.toString("utf8", this.ends[2 * i], this.ends[2 * i + 1]),
      start: x[r],
      end: x[r + 1],
      alg: HASH_ALGORITHMS[this.algs[i]],
      ...expect >= 0 ? { expectSize: expect } : {},
      ...stamp ? { stamp } : {}
    };
  }
};

// ../core/dist/digest/hash-range.js
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from "node:fs";

// ../core/dist/digest/file-stamp.js
function stampOf(s) {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}
function stampChange(a, b) {
  for (const k of ["ino", "dev", "size", "mtimeMs", "ctimeMs"])
    if (a[k] !== b[k])
      return k;
  return void 0;
}

// ../core/dist/digest/hash-range.js
var READ_SIZE = 1 << 20;
var OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);
function describeReadError(name, e) {
  const err = e;
  if (err?.code === "ENOENT")
    return { code: "NOT_FOUND", message: `file '${name}' vanished while hashing` };
  if (err?.code === "EACCES" || err?.code === "EPERM") {
    return { code: "UNREADABLE", message: `cannot read '${name}': permission denied` };
  }
  if (err?.code === "ELOOP")
    return { code: "UNREADABLE", message: `file '${name}' was replaced by a symlink while hashing` };
  if (err?.code === "EISDIR")
    return { code: "UNREADABLE", message: `cannot read '${name}': it is a directory` };
  const detail = err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
  return { code: "UNREADABLE", message: `cannot read '${name}': ${detail}` };
}
var HashRangeError = class extends Error {
  failure;
  constructor(failure) {
    super(failure.message);
    this.failure = failure;
  }
};
function hashRangeSync(item, buf2, onBytes2) {
  const steps = fileSteps(item, buf2, onBytes2, Infinity);
  for (; ; ) {
    const step = steps.next();
    if (step.done)
      return step.value;
  }
}
var SLICE_BYTES = 32 * 1024 * 1024;
function* fileSteps(item, buf2, onBytes2, slice) {
  const { fd, before } = openListed(item);
  try {
    const digest = yield* rangeSteps(fd, item, buf2, onBytes2, slice);
    checkUnchanged(fd, before, item);
    return digest;
  } catch (e) {
    throw asRangeError(item, e);
  } finally {
    closeSync(fd);
  }
}
function openListed(item) {
  let fd;
  try {
    fd = openSync(item.path, OPEN_FLAGS);
  } catch (e) {
    throw new HashRangeError(describeReadError(item.name, e));
  }
  try {
    const opened = fstatSync(fd);
    if (opened.isDirectory())
      throw new HashRangeError({
        code: "UNREADABLE",
        message: `cannot read '${item.name}': it is a directory`
      });
    const before = stampOf(opened);
    const listed = item.stamp && stampChange(item.stamp, before);
    if (listed === "size")
      throw new HashRangeError({
        code: "UNREADABLE",
        message: `file '${item.name}' changed since it was listed: it is ${before.size} bytes, it was ${item.stamp?.size}`
      });
    if (listed)
      throw changed(item.name, listed, "since it was listed");
    return { fd, before };
  } catch (e) {
    closeSync(fd);
    throw asRangeError(item, e);
  }
}
function checkUnchanged(fd, before, item) {
  const during = stampChange(before, stampOf(fstatSync(fd)));
  if (during)
    throw changed(item.name, during, "while hashing");
}
function asRangeError(item, e) {
  return e instanceof HashRangeError ? e : new HashRangeError(describeReadError(item.name, e));
}
var FIELD = {
  dev: "device",
  ino: "inode",
  size: "size",
  mtimeMs: "modification time",
  ctimeMs: "change time"
};
function changed(name, field, when) {
  return new HashRangeError({
    code: "UNREADABLE",
    message: `file '${name}' changed ${when} (its ${FIELD[field]} changed); hash again once nothing writes to it`
  });
}
function readLimit(item) {
  return item.expectSize !== void 0 && item.end === item.expectSize ? item.end + 1 : item.end;
}
function atEnd(item, pos, n, want) {
  if (n > item.end - pos) {
    throw new HashRangeError({
      code: "UNREADABLE",
      message: `file '${item.name}' changed while hashing: it grew beyond ${item.end} bytes`
    });
  }
  if (n === 0) {
    if (pos === item.end)
      return true;
    throw new HashRangeError({
      code: "UNREADABLE",
      message: `file '${item.name}' changed while hashing: it ended at byte ${pos}, expected ${item.end}`
    });
  }
  return n < want && pos + n === item.end;
}
function* rangeSteps(fd, item, buf2, onBytes2, slice) {
  const limit = readLimit(item);
  const single = limit - item.start <= buf2.length;
  const h = single ? void 0 : createHasher(item.alg);
  let pos = item.start;
  let sinceTurn = 0;
  while (pos < limit) {
    const off = single ? pos - item.start : 0;
    const want = single ? limit - pos : Math.min(buf2.length, limit - pos);
    let n;
    try {
      n = readSync(fd, buf2, off, want, pos);
    } catch (e) {
      throw new HashRangeError(describeReadError(item.name, e));
    }
    const end = atEnd(item, pos, n, want);
    if (n === 0)
      break;
    h?.update(n === buf2.length ? buf2 : buf2.subarray(0, n));
    pos += n;
    onBytes2?.(n);
    if (end)
      break;
    sinceTurn += n;
    if (sinceTurn >= slice) {
      sinceTurn = 0;
      yield;
    }
  }
  if (h)
    return h.digest();
  return digestOnce(item.alg, buf2.subarray(0, item.end - item.start));
}

// ../core/dist/digest/hash-worker.js
var PROGRESS_BYTES = 64 * 1024 * 1024;
var PROGRESS_MS = 100;
var port = parentPort;
if (!port)
  throw new Error("hash-worker must run as a worker thread");
var buf = Buffer.allocUnsafe(READ_SIZE);
var pending = 0;
var lastSent = Date.now();
var current = "";
function send(msg) {
  port.postMessage(msg);
}
function flushProgress() {
  if (pending > 0) {
    send({ type: "progress", bytes: pending, item: current });
    pending = 0;
  }
  lastSent = Date.now();
}
function onBytes(n) {
  pending += n;
  if (pending >= PROGRESS_BYTES || Date.now() - lastSent >= PROGRESS_MS)
    flushProgress();
}
port.on("message", (job) => {
  const view = new JobView(job.job);
  const claims = new BatchClaims(job.claims, view.batchCount);
  const out = new Uint8Array(job.digests);
  for (let b = claims.front(); b >= 0; b = claims.front()) {
    for (const i of view.batch(b)) {
      const item = view.item(i);
      current = item.name;
      try {
        out.set(hashRangeSync(item, buf, onBytes), i * job.digestLength);
        if (job.reportItems)
          send({ type: "item", index: i });
      } catch (e) {
        claims.abort();
        send({
          type: "error",
          failure: e instanceof HashRangeError ? e.failure : describeReadError(item.name, e)
        });
        return;
      }
    }
  }
  const bytes = pending;
  pending = 0;
  send({ type: "done", bytes, item: current });
});
/*! Bundled license information:

@noble/hashes/utils.js:
  (*! noble-hashes - MIT License (c) 2022 Paul Miller (paulmillr.com) *)
*/
