#!/usr/bin/env python3
"""Random COCO cases and their scores from a transcription of pycocotools' COCOeval (bbox).

pycocotools cannot be installed here, so this re-implements cocoeval.py's _prepare, computeIoU,
evaluateImg, accumulate and summarize (and maskApi.c's bbIou) in the same numpy style, line by
line, independently of the C++ code. coco_eval_cross_check_test.cc evaluates the same files and
must agree bit for bit.

Usage: cocoeval_reference.py OUT_DIR [NUM_CASES]
Writes OUT_DIR/case_N_gt.json, case_N_dets.json and case_N_expected.json (values as float.hex()).
"""
import json
import os
import sys
from collections import defaultdict

import numpy as np


class Params:
    def __init__(self):
        self.imgIds = []
        self.catIds = []
        self.iouThrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
        self.recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
        self.maxDets = [1, 10, 100]
        self.areaRng = [[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]
        self.areaRngLbl = ['all', 'small', 'medium', 'large']


def bb_iou(dt, gt, iscrowd):
    """maskApi.c bbIou: returns [len(dt) x len(gt)], or [] when either is empty."""
    if len(dt) == 0 or len(gt) == 0:
        return []
    dt = np.array(dt, dtype=np.double)
    gt = np.array(gt, dtype=np.double)
    o = np.zeros((len(dt), len(gt)))
    for g in range(len(gt)):
        G = gt[g]
        ga = G[2] * G[3]
        crowd = iscrowd[g]
        for d in range(len(dt)):
            D = dt[d]
            da = D[2] * D[3]
            w = min(D[2] + D[0], G[2] + G[0]) - max(D[0], G[0])
            if w <= 0:
                continue
            h = min(D[3] + D[1], G[3] + G[1]) - max(D[1], G[1])
            if h <= 0:
                continue
            i = w * h
            u = da if crowd else da + ga - i
            o[d, g] = i / u
    return o


class COCOeval:
    def __init__(self, dataset, results):
        self.params = Params()
        self.params.imgIds = sorted(img['id'] for img in dataset['images'])
        self.params.catIds = sorted(cat['id'] for cat in dataset['categories'])
        self.gt_anns = dataset.get('annotations', [])
        # loadRes for bbox: id = index + 1, area = w * h, iscrowd = 0.
        self.dt_anns = []
        for i, ann in enumerate(results):
            ann = dict(ann)
            bb = ann['bbox']
            ann['area'] = bb[2] * bb[3]
            ann['id'] = i + 1
            ann['iscrowd'] = 0
            self.dt_anns.append(ann)

    def _prepare(self):
        p = self.params
        img_set, cat_set = set(p.imgIds), set(p.catIds)
        # getAnnIds(imgIds=p.imgIds, catIds=p.catIds) walks images in p.imgIds order.
        def select(anns):
            by_img = defaultdict(list)
            for ann in anns:
                by_img[ann['image_id']].append(ann)
            out = []
            for img in p.imgIds:
                out += [a for a in by_img[img] if a['category_id'] in cat_set]
            return out
        gts = [dict(g) for g in select(self.gt_anns)]
        dts = [dict(d) for d in select(self.dt_anns)]
        for gt in gts:
            gt['ignore'] = gt['ignore'] if 'ignore' in gt else 0
            gt['ignore'] = 'iscrowd' in gt and gt['iscrowd']
        self._gts = defaultdict(list)
        self._dts = defaultdict(list)
        for gt in gts:
            self._gts[gt['image_id'], gt['category_id']].append(gt)
        for dt in dts:
            self._dts[dt['image_id'], dt['category_id']].append(dt)

    def evaluate(self):
        p = self.params
        p.imgIds = list(np.unique(p.imgIds))
        p.catIds = list(np.unique(p.catIds))
        p.maxDets = sorted(p.maxDets)
        self._prepare()
        self.ious = {(imgId, catId): self.computeIoU(imgId, catId)
                     for imgId in p.imgIds for catId in p.catIds}
        maxDet = p.maxDets[-1]
        self.evalImgs = [self.evaluateImg(imgId, catId, areaRng, maxDet)
                         for catId in p.catIds for areaRng in p.areaRng for imgId in p.imgIds]

    def computeIoU(self, imgId, catId):
        p = self.params
        gt = self._gts[imgId, catId]
        dt = self._dts[imgId, catId]
        if len(gt) == 0 and len(dt) == 0:
            return []
        inds = np.argsort([-d['score'] for d in dt], kind='mergesort')
        dt = [dt[i] for i in inds]
        if len(dt) > p.maxDets[-1]:
            dt = dt[0:p.maxDets[-1]]
        g = [g['bbox'] for g in gt]
        d = [d['bbox'] for d in dt]
        iscrowd = [int(o['iscrowd']) for o in gt]
        return bb_iou(d, g, iscrowd)

    def evaluateImg(self, imgId, catId, aRng, maxDet):
        p = self.params
        gt = self._gts[imgId, catId]
        dt = self._dts[imgId, catId]
        if len(gt) == 0 and len(dt) == 0:
            return None
        for g in gt:
            if g['ignore'] or (g['area'] < aRng[0] or g['area'] > aRng[1]):
                g['_ignore'] = 1
            else:
                g['_ignore'] = 0
        gtind = np.argsort([g['_ignore'] for g in gt], kind='mergesort')
        gt = [gt[i] for i in gtind]
        dtind = np.argsort([-d['score'] for d in dt], kind='mergesort')
        dt = [dt[i] for i in dtind[0:maxDet]]
        iscrowd = [int(o['iscrowd']) for o in gt]
        ious = self.ious[imgId, catId][:, gtind] if len(self.ious[imgId, catId]) > 0 \
            else self.ious[imgId, catId]
        T = len(p.iouThrs)
        G = len(gt)
        D = len(dt)
        gtm = np.zeros((T, G))
        dtm = np.zeros((T, D))
        gtIg = np.array([g['_ignore'] for g in gt])
        dtIg = np.zeros((T, D))
        if not len(ious) == 0:
            for tind, t in enumerate(p.iouThrs):
                for dind, d in enumerate(dt):
                    iou = min([t, 1 - 1e-10])
                    m = -1
                    for gind, g in enumerate(gt):
                        if gtm[tind, gind] > 0 and not iscrowd[gind]:
                            continue
                        if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                            break
                        if ious[dind, gind] < iou:
                            continue
                        iou = ious[dind, gind]
                        m = gind
                    if m == -1:
                        continue
                    dtIg[tind, dind] = gtIg[m]
                    dtm[tind, dind] = gt[m]['id']
                    gtm[tind, m] = d['id']
        a = np.array([d['area'] < aRng[0] or d['area'] > aRng[1] for d in dt]).reshape((1, len(dt)))
        dtIg = np.logical_or(dtIg, np.logical_and(dtm == 0, np.repeat(a, T, 0)))
        return {'dtMatches': dtm, 'dtScores': [d['score'] for d in dt], 'gtIgnore': gtIg,
                'dtIgnore': dtIg}

    def accumulate(self):
        p = self.params
        T = len(p.iouThrs)
        R = len(p.recThrs)
        K = len(p.catIds)
        A = len(p.areaRng)
        M = len(p.maxDets)
        precision = -np.ones((T, R, K, A, M))
        recall = -np.ones((T, K, A, M))
        I0 = len(p.imgIds)
        A0 = len(p.areaRng)
        for k in range(K):
            Nk = k * A0 * I0
            for a in range(A):
                Na = a * I0
                for m, maxDet in enumerate(p.maxDets):
                    E = [self.evalImgs[Nk + Na + i] for i in range(I0)]
                    E = [e for e in E if e is not None]
                    if len(E) == 0:
                        continue
                    dtScores = np.concatenate([e['dtScores'][0:maxDet] for e in E])
                    inds = np.argsort(-dtScores, kind='mergesort')
                    dtm = np.concatenate([e['dtMatches'][:, 0:maxDet] for e in E], axis=1)[:, inds]
                    dtIg = np.concatenate([e['dtIgnore'][:, 0:maxDet] for e in E], axis=1)[:, inds]
                    gtIg = np.concatenate([e['gtIgnore'] for e in E])
                    npig = np.count_nonzero(gtIg == 0)
                    if npig == 0:
                        continue
                    tps = np.logical_and(dtm, np.logical_not(dtIg))
                    fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
                    tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
                    fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
                    for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
                        tp = np.array(tp)
                        fp = np.array(fp)
                        nd = len(tp)
                        rc = tp / npig
                        pr = tp / (fp + tp + np.spacing(1))
                        q = np.zeros((R,))
                        recall[t, k, a, m] = rc[-1] if nd else 0
                        pr = pr.tolist()
                        q = q.tolist()
                        for i in range(nd - 1, 0, -1):
                            if pr[i] > pr[i - 1]:
                                pr[i - 1] = pr[i]
                        inds = np.searchsorted(rc, p.recThrs, side='left')
                        try:
                            for ri, pi in enumerate(inds):
                                q[ri] = pr[pi]
                        except IndexError:
                            pass
                        precision[t, :, k, a, m] = np.array(q)
        self.eval = {'precision': precision, 'recall': recall}

    def _summarize(self, ap=1, iouThr=None, areaRng='all', maxDets=100, k=None):
        p = self.params
        aind = [i for i, aRng in enumerate(p.areaRngLbl) if aRng == areaRng]
        mind = [i for i, mDet in enumerate(p.maxDets) if mDet == maxDets]
        if ap == 1:
            s = self.eval['precision']
            if iouThr is not None:
                t = np.where(iouThr == p.iouThrs)[0]
                s = s[t]
            s = s[:, :, :, aind, mind] if k is None else s[:, :, k, aind[0], mind[0]]
        else:
            s = self.eval['recall']
            if iouThr is not None:
                t = np.where(iouThr == p.iouThrs)[0]
                s = s[t]
            s = s[:, :, aind, mind]
        if len(s[s > -1]) == 0:
            return -1.0
        return float(np.mean(s[s > -1]))

    def summarize(self):
        md = self.params.maxDets
        stats = [
            self._summarize(1),
            self._summarize(1, iouThr=.5, maxDets=md[2]),
            self._summarize(1, iouThr=.75, maxDets=md[2]),
            self._summarize(1, areaRng='small', maxDets=md[2]),
            self._summarize(1, areaRng='medium', maxDets=md[2]),
            self._summarize(1, areaRng='large', maxDets=md[2]),
            self._summarize(0, maxDets=md[0]),
            self._summarize(0, maxDets=md[1]),
            self._summarize(0, maxDets=md[2]),
            self._summarize(0, areaRng='small', maxDets=md[2]),
            self._summarize(0, areaRng='medium', maxDets=md[2]),
            self._summarize(0, areaRng='large', maxDets=md[2]),
        ]
        per_class = [{'ap': self._summarize(1, k=k), 'ap50': self._summarize(1, iouThr=.5, k=k)}
                     for k in range(len(self.params.catIds))]
        return stats, per_class


def random_box(rng, size_scale):
    # Sizes around the 32^2 and 96^2 boundaries, some exactly on them, some integral.
    choice = rng.integers(0, 6)
    if choice == 0:
        w, h = 32.0, 32.0
    elif choice == 1:
        w, h = 96.0, 96.0
    else:
        w = float(np.round(rng.uniform(2, size_scale), 1))
        h = float(np.round(rng.uniform(2, size_scale), 1))
    x = float(np.round(rng.uniform(0, 300), 1))
    y = float(np.round(rng.uniform(0, 300), 1))
    return [x, y, w, h]


def jitter(rng, box):
    x, y, w, h = box
    s = rng.uniform(0, 0.3)
    return [float(np.round(x + rng.normal(0, s * w), 2)), float(np.round(y + rng.normal(0, s * h), 2)),
            float(max(0.5, np.round(w * rng.uniform(0.7, 1.3), 2))),
            float(max(0.5, np.round(h * rng.uniform(0.7, 1.3), 2)))]


def make_case(rng, index):
    num_images = int(rng.integers(1, 8))
    num_cats = int(rng.integers(1, 5))
    image_ids = [int(i) for i in rng.choice(1000, num_images, replace=False)]
    cat_ids = [int(c) for c in rng.choice(100, num_cats, replace=False) + 1]
    size_scale = float(rng.choice([20, 60, 150]))
    many = index % 5 == 0  # some cases exceed maxDets 100 per image and category
    annotations, results = [], []
    next_id = 1
    for img in image_ids:
        for cat in cat_ids:
            if rng.random() < 0.2:
                continue  # no ground truth here
            for _ in range(int(rng.integers(0, 6 if not many else 40))):
                box = random_box(rng, size_scale)
                ann = {'id': next_id, 'image_id': img, 'category_id': cat, 'bbox': box,
                       'iscrowd': int(rng.random() < 0.1)}
                next_id += 1
                if rng.random() < 0.7:
                    ann['area'] = float(np.round(box[2] * box[3] * rng.uniform(0.5, 1.0), 1))
                else:
                    ann['area'] = box[2] * box[3]  # pycocotools needs 'area'; C++ also accepts none
                if rng.random() < 0.1:
                    ann['ignore'] = 1  # overwritten by iscrowd in pycocotools
                annotations.append(ann)
                for _ in range(int(rng.integers(0, 3))):
                    results.append({'image_id': img, 'category_id': cat, 'bbox': jitter(rng, box)})
            for _ in range(int(rng.integers(0, 4 if not many else 80))):
                results.append({'image_id': img, 'category_id': cat,
                                'bbox': random_box(rng, size_scale)})
    # Coarse scores make many ties, so the stable orders matter.
    for r in results:
        r['score'] = float(rng.choice([0.1, 0.3, 0.5, 0.5, 0.7, 0.9])) if rng.random() < 0.5 \
            else float(np.round(rng.random(), 3))
    order = rng.permutation(len(results))
    results = [results[i] for i in order]
    dataset = {'images': [{'id': i} for i in image_ids],
               'categories': [{'id': c, 'name': 'c%d' % c} for c in cat_ids],
               'annotations': annotations}
    return dataset, results


def main():
    out_dir = sys.argv[1]
    num_cases = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20240601)
    for n in range(num_cases):
        dataset, results = make_case(rng, n)
        ev = COCOeval(dataset, results)
        ev.evaluate()
        ev.accumulate()
        stats, per_class = ev.summarize()
        expected = {'stats': [float(s).hex() for s in stats],
                    'per_class': [{'ap': float(c['ap']).hex(), 'ap50': float(c['ap50']).hex()}
                                  for c in per_class]}
        for suffix, obj in (('gt', dataset), ('dets', results), ('expected', expected)):
            with open(os.path.join(out_dir, 'case_%d_%s.json' % (n, suffix)), 'w') as f:
                json.dump(obj, f)


if __name__ == '__main__':
    main()
